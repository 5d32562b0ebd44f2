// libpng, from Debian's libpng-dev; Mirage uses only its simplified png_image API (no setjmp).
#include <png.h>
