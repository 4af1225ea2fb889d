/** File-writing mechanics shared by every writer: temporary names, atomic renames, cleanup on failure. */
package org.ffnfuse.formats.io;
