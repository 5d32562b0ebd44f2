// Open MPI's C API, from Debian's libopenmpi-dev (found through pkg-config's ompi-c).
#include <mpi.h>

// MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and friends are macros over the addresses of library
// globals, which Swift cannot import; these return them.
static inline MPI_Comm mirage_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype mirage_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype mirage_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype mirage_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op mirage_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op mirage_mpi_max(void) { return MPI_MAX; }
static inline void *mirage_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler mirage_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
