// oneDNN's C API, from Debian's libdnnl-dev (oneDNN 2.x).
#include <oneapi/dnnl/dnnl.h>

// libgomp reads OMP_NUM_THREADS when it is loaded; a program that chooses its thread count later
// (mirage train --threads) tells the OpenMP runtime directly. Declared here rather than through
// <omp.h>, which lives in GCC's private include folder.
extern void omp_set_num_threads(int);
