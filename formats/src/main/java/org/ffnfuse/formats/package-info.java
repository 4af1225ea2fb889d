/**
 * Files only: tensor values and views, safetensors, ONNX protobuf with external data, and Hugging Face config.json
 * parsed into validated records. Nothing here knows the graph IR.
 */
package org.ffnfuse.formats;
