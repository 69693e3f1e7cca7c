// store.h: the HDF5 experience store (writer side).
//
// One thread owns an sfStore. The file is created exclusively (never over an existing file
// unless forced), its metadata written, then switched to SWMR write mode so readers can open
// it while a run appends; every append is flushed, so a killed run leaves a readable store
// holding every appended row. The schema is documented in datasets/README.md.
#ifndef SUTUREFLEET_SIM_STORE_H_
#define SUTUREFLEET_SIM_STORE_H_

#include <stdint.h>
#include <hdf5.h>

#include "episode.h"
#include "status.h"

#define SF_STORE_FORMAT "suturefleet"  // root attribute 'format'
#define SF_STORE_SCHEMA 1              // root attribute 'schema_version'

// what the store records about the run that writes it
typedef struct sfStoreMeta_ {
  const char* config_text;  // every result-determining setting, "key = value" lines
  uint64_t seed;            // experiment seed
  uint64_t model_hash;      // hash of the compiled model
  const char* model_path;   // MJCF file the run used
} sfStoreMeta;

// an open store being written
typedef struct sfStore_ {
  hid_t file;        // the file, SWMR write mode after creation
  hid_t episodes;    // /episodes dataset
  hid_t row_type;    // in-memory compound type of an /episodes row
  hsize_t nrows;     // rows written so far
  double io_s;       // wall time spent in store calls (s)
  char path[4096];   // file path
} sfStore;

// check that a store can be created at path without touching anything: SF_ERR_INPUT when the
// file exists and force is 0, or when its directory does not exist
sftStatus sf_store_check_path(const char* path, int force, sfError* e);

// create the store at path and write its metadata; SF_ERR_INPUT when the file exists (and
// force is 0) or its directory is missing, SF_ERR_RUN on an HDF5 failure; on failure nothing
// was created, st is closed, and an existing file is untouched unless force was given
sftStatus sf_store_create(sfStore* st, const char* path, int force, const sfStoreMeta* meta,
                          sfError* e);

// append n episode results (run by the named controller) as rows and flush; SF_ERR_RUN on
// failure (rows already flushed remain readable)
sftStatus sf_store_append(sfStore* st, const sfEpisodeResult* res, int n, const char* controller,
                          sfError* e);

// close every id; SF_ERR_RUN if the final close fails; accepts a closed store
sftStatus sf_store_close(sfStore* st, sfError* e);

#endif  // SUTUREFLEET_SIM_STORE_H_
