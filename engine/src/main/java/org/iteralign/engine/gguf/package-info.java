/**
 * Reading GGUF model files: {@link org.iteralign.engine.gguf.GgufFile#open} maps a file, checks its
 * header against the bytes that exist, and exposes typed metadata and tensor slices of the map.
 */
package org.iteralign.engine.gguf;
