// store_check.h: what every reader of a store checks before it uses what it read.
//
// A store is the fleet's memory, and it may come from anywhere: a run killed mid-way, a disk
// that filled up, a copy edited by hand or by an attacker. sf_store_read validates everything it
// read with sf_store_validate, so info, curves, replay, `run --from` and `run --resume` only ever
// see a store whose rows are consistent with its own configuration: the robots it makes, its
// rounds, its stitches and its skill vector. The rules are listed in datasets/README.md ("What
// readers check"). A store of a run still in progress or killed mid-run is accepted: fewer
// rounds than configured, and a last round of episodes whose knowledge rows were not written.
//
// This module sits above the store's file layer and the robot list: it knows which robots a
// configuration makes (sf_robots_list).
#ifndef SUTUREFLEET_SIM_STORE_CHECK_H_
#define SUTUREFLEET_SIM_STORE_CHECK_H_

#include "status.h"
#include "config.h"
#include "store.h"

// check the store read from path (d, as sf_store_read fills it): the configuration is present
// and parses, /robots holds exactly the robots it makes, every /episodes and /knowledge row is
// within range and consistent with /robots, the configuration and the rows before it, counts
// are within the limits the configuration allows and knowledge is finite. SF_OK, or
// SF_ERR_INPUT with a message naming the store, the dataset, the row and the field, its value
// and what was expected; d is never changed
sftStatus sf_store_validate(const sfStoreData* d, const char* path, sfError* e);

// a store's configuration as a run reads it: the defaults, the store's learner (cem for a store
// written before learners were recorded, whose text names none), then its configuration text;
// SF_ERR_INPUT naming the store (path) and the line, as sf_config_load_text
sftStatus sf_store_config(const sfStoreData* d, const char* path, sfRunConfig* c, sfError* e);

// read a whole store as of its last complete round (sf_store_read_raw) and validate it
// (sf_store_validate): what every reader uses. SF_ERR_INPUT naming the file when it is missing,
// not a regular file, not HDF5, not a suturefleet store, of another schema version, or fails
// validation; on failure out is empty (safe to free)
sftStatus sf_store_read(const char* path, sfStoreData* out, sfError* e);

#endif  // SUTUREFLEET_SIM_STORE_CHECK_H_
