/* The byte format the profile fuzzer reads: a profile's sections, as the
 * registry would hand them over.
 *
 *   u8 section count
 *   per section: u8 name length (UTF-16 units), the name (UTF-16LE), u8 value count
 *   per value:   u8 name length, the name, u8 registry type, u16 size (LE), the bytes
 *
 * Whatever the input ends too early cuts short. */
#ifndef MAPISHUT_FUZZ_FORMAT_H
#define MAPISHUT_FUZZ_FORMAT_H

#endif
