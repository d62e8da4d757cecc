#include <mpi.h>

// Open MPI defines its handles as macros over addresses of library globals, which Swift cannot
// import: one inline accessor per handle minillm uses.
static inline MPI_Comm minillm_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype minillm_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype minillm_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype minillm_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Errhandler minillm_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *minillm_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *minillm_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
