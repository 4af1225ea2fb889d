/** The picocli command line {@code ffnfuse}: one class per subcommand; only this package prints. */
package org.ffnfuse.converters.cli;
