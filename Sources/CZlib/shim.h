// zlib, from Debian's zlib1g-dev: gzip IDX files and PNG streams.
#include <zlib.h>
