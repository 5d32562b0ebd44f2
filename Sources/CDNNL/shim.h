// oneDNN's C API, from Debian's libdnnl-dev (oneDNN 2.x).
#include <oneapi/dnnl/dnnl.h>
