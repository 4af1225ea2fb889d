/** Runnable example programs on the FFNFuse Java API. Nothing depends on this module. */
package org.ffnfuse.samples;
