// store.c: HDF5 store writer: exclusive create, root attributes, chunked /episodes, SWMR.
#include "store.h"

#include <errno.h>
#include <math.h>
#include <libgen.h>
#include <omp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mujoco/mujoco.h>

#define SF_RAD2DEG (180.0 / 3.141592653589793)
#define SF_CHUNK_ROWS 512
#define SF_STORE_NAME_LEN 32  // controller name field size

// one /episodes row as written (units in the field names)
typedef struct sfEpisodeRow_ {
  int64_t episode_id;
  int32_t round;
  int32_t robot;
  char controller[SF_STORE_NAME_LEN];
  int32_t steps;
  double sim_time_s;
  int32_t stitches;
  int32_t first_pair;
  double line_offset_mm;
  double grasp_angle_deg;
  double grasp_tilt_deg;
  double puncture_N;
  double indent_k_N_m;
  double friction_Ns_m2;
  double cut_N;
  double lateral_k_N_m2;
  double tear_mm;
  double calib_bias_mm[3];
  double calib_rot_deg[3];
  int32_t n_theta;
  double theta[SF_MAX_THETA];
  double entry_err_mm;
  double exit_err_mm;
  double tip_out_mm;
  double time_s;
  int32_t throws_ok;
  double spacing_mean_mm;
  double spacing_sd_mm;
  double bite_mm;
  int32_t insertions;
  int32_t regrasp_failures;
  double trauma_mm2;
  double peak_force_N;
  uint8_t completed;
  uint8_t dropped;
  uint8_t diverged;
  uint8_t fault;
  uint8_t success;
} sfEpisodeRow;

// a fixed-size array member type (n doubles); < 0 on failure
static hid_t sf_store_array(hsize_t n) {
  return H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n);
}

// the compound type of a row in memory
static hid_t sf_store_row_type(void) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(sfEpisodeRow));
  hid_t name = H5Tcopy(H5T_C_S1);
  hid_t a3 = sf_store_array(3), ath = sf_store_array(SF_MAX_THETA);
  if (t < 0 || name < 0 || a3 < 0 || ath < 0 || H5Tset_size(name, SF_STORE_NAME_LEN) < 0) {
    if (t >= 0) H5Tclose(t);
    t = -1;
  }
  herr_t rc = t < 0 ? -1 : 0;
#define SF_FIELD(field, type) \
  if (rc >= 0) rc = H5Tinsert(t, #field, HOFFSET(sfEpisodeRow, field), type)
  SF_FIELD(episode_id, H5T_NATIVE_INT64);
  SF_FIELD(round, H5T_NATIVE_INT32);
  SF_FIELD(robot, H5T_NATIVE_INT32);
  SF_FIELD(controller, name);
  SF_FIELD(steps, H5T_NATIVE_INT32);
  SF_FIELD(sim_time_s, H5T_NATIVE_DOUBLE);
  SF_FIELD(stitches, H5T_NATIVE_INT32);
  SF_FIELD(first_pair, H5T_NATIVE_INT32);
  SF_FIELD(line_offset_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(grasp_angle_deg, H5T_NATIVE_DOUBLE);
  SF_FIELD(grasp_tilt_deg, H5T_NATIVE_DOUBLE);
  SF_FIELD(puncture_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(indent_k_N_m, H5T_NATIVE_DOUBLE);
  SF_FIELD(friction_Ns_m2, H5T_NATIVE_DOUBLE);
  SF_FIELD(cut_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(lateral_k_N_m2, H5T_NATIVE_DOUBLE);
  SF_FIELD(tear_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(calib_bias_mm, a3);
  SF_FIELD(calib_rot_deg, a3);
  SF_FIELD(n_theta, H5T_NATIVE_INT32);
  SF_FIELD(theta, ath);
  SF_FIELD(entry_err_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(exit_err_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(tip_out_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(time_s, H5T_NATIVE_DOUBLE);
  SF_FIELD(throws_ok, H5T_NATIVE_INT32);
  SF_FIELD(spacing_mean_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(spacing_sd_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(bite_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(insertions, H5T_NATIVE_INT32);
  SF_FIELD(regrasp_failures, H5T_NATIVE_INT32);
  SF_FIELD(trauma_mm2, H5T_NATIVE_DOUBLE);
  SF_FIELD(peak_force_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(completed, H5T_NATIVE_UINT8);
  SF_FIELD(dropped, H5T_NATIVE_UINT8);
  SF_FIELD(diverged, H5T_NATIVE_UINT8);
  SF_FIELD(fault, H5T_NATIVE_UINT8);
  SF_FIELD(success, H5T_NATIVE_UINT8);
#undef SF_FIELD
  if (name >= 0) H5Tclose(name);
  if (a3 >= 0) H5Tclose(a3);
  if (ath >= 0) H5Tclose(ath);
  if (rc < 0 && t >= 0) {
    H5Tclose(t);
    t = -1;
  }
  return t;
}

// a row from a result
static void sf_store_row(const sfEpisodeResult* r, const char* controller, sfEpisodeRow* row) {
  const sfContext* c = &r->ctx;
  memset(row, 0, sizeof(*row));
  row->episode_id = r->episode_id;
  row->round = r->round;
  row->robot = r->robot;
  snprintf(row->controller, sizeof(row->controller), "%s", controller);
  row->steps = r->steps;
  row->sim_time_s = r->sim_time_s;
  row->stitches = r->stitches;
  row->first_pair = c->first_pair;
  row->line_offset_mm = 1000 * c->line_offset_m;
  row->grasp_angle_deg = SF_RAD2DEG * c->grasp_angle_rad;
  row->grasp_tilt_deg = SF_RAD2DEG * c->grasp_tilt_rad;
  row->puncture_N = c->puncture_N;
  row->indent_k_N_m = c->indent_k_N_m;
  row->friction_Ns_m2 = c->friction_Ns_m2;
  row->cut_N = c->cut_N;
  row->lateral_k_N_m2 = c->lateral_k_N_m2;
  row->tear_mm = c->tear_mm;
  for (int i = 0; i < 3; i++) {
    row->calib_bias_mm[i] = 1000 * c->calib.bias_m[i];
    row->calib_rot_deg[i] = SF_RAD2DEG * c->calib.rot_rad[i];
  }
  row->n_theta = r->ntheta;
  for (int i = 0; i < SF_MAX_THETA; i++) row->theta[i] = i < r->ntheta ? r->theta[i] : NAN;
  row->entry_err_mm = r->entry_err_mm;
  row->exit_err_mm = r->exit_err_mm;
  row->tip_out_mm = r->tip_out_mm;
  row->time_s = r->time_s;
  row->throws_ok = r->throws_ok;
  row->spacing_mean_mm = r->spacing_mean_mm;
  row->spacing_sd_mm = r->spacing_sd_mm;
  row->bite_mm = r->bite_mm;
  row->insertions = r->insertions;
  row->regrasp_failures = r->regrasp_failures;
  row->trauma_mm2 = r->trauma_mm2;
  row->peak_force_N = r->peak_force_N;
  row->completed = r->completed;
  row->dropped = r->dropped;
  row->diverged = r->diverged;
  row->fault = r->fault;
  row->success = r->success;
}

// write a string attribute on the root; < 0 on failure
static herr_t sf_attr_string(hid_t file, const char* name, const char* value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  if (type < 0) return -1;
  herr_t rc = H5Tset_size(type, strlen(value) + 1);
  if (rc >= 0) rc = H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = rc >= 0 ? H5Screate(H5S_SCALAR) : -1;
  hid_t attr = space >= 0 ? H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
  rc = attr >= 0 ? H5Awrite(attr, type, value) : -1;
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  H5Tclose(type);
  return rc;
}

// write a scalar integer attribute on the root; < 0 on failure
static herr_t sf_attr_u64(hid_t file, const char* name, hid_t type, uint64_t value) {
  hid_t space = H5Screate(H5S_SCALAR);
  if (space < 0) return -1;
  hid_t attr = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t rc = attr >= 0 ? H5Awrite(attr, H5T_NATIVE_UINT64, &value) : -1;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  return rc;
}

// root attributes; < 0 on failure
static herr_t sf_store_write_meta(hid_t file, const sfStoreMeta* meta) {
  char hash[32], mjver[32];
  snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)meta->model_hash);
  snprintf(mjver, sizeof(mjver), "%s", mj_versionString());
  if (sf_attr_string(file, "format", SF_STORE_FORMAT) < 0) return -1;
  if (sf_attr_u64(file, "schema_version", H5T_STD_I32LE, SF_STORE_SCHEMA) < 0) return -1;
  if (sf_attr_string(file, "suturefleet_version", SF_VERSION) < 0) return -1;
  if (sf_attr_string(file, "mujoco_version", mjver) < 0) return -1;
  if (sf_attr_string(file, "model_hash", hash) < 0) return -1;
  if (sf_attr_string(file, "model_path", meta->model_path) < 0) return -1;
  if (sf_attr_string(file, "configuration", meta->config_text) < 0) return -1;
  if (sf_attr_u64(file, "seed", H5T_STD_U64LE, meta->seed) < 0) return -1;
  return 0;
}

// the chunked, compressed, unlimited /episodes dataset; < 0 on failure
static hid_t sf_store_make_episodes(hid_t file, hid_t row_type) {
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {SF_CHUNK_ROWS};
  hid_t space = H5Screate_simple(1, dims, maxdims);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t ftype = H5Tcopy(row_type);
  hid_t ds = -1;
  if (space >= 0 && dcpl >= 0 && ftype >= 0 && H5Tpack(ftype) >= 0 &&
      H5Pset_chunk(dcpl, 1, chunk) >= 0 && H5Pset_deflate(dcpl, 4) >= 0 &&
      H5Pset_obj_track_times(dcpl, 0) >= 0) {
    ds = H5Dcreate2(file, "episodes", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  }
  if (ftype >= 0) H5Tclose(ftype);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return ds;
}

sftStatus sf_store_check_path(const char* path, int force, sfError* e) {
  struct stat sb;
  if (stat(path, &sb) == 0) {
    if (!force) {
      return sf_fail(e, SF_ERR_INPUT,
                     "store '%s' already exists; expected a new file (pass --force to replace it)",
                     path);
    }
    if (!S_ISREG(sb.st_mode)) {
      return sf_fail(e, SF_ERR_INPUT, "store '%s' exists and is not a regular file", path);
    }
    return SF_OK;
  }
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s", path);
  const char* dir = dirname(tmp);
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return sf_fail(e, SF_ERR_INPUT, "store '%s': directory '%s' does not exist", path, dir);
  }
  return SF_OK;
}

sftStatus sf_store_create(sfStore* st, const char* path, int force, const sfStoreMeta* meta,
                          sfError* e) {
  memset(st, 0, sizeof(*st));
  st->file = st->episodes = st->row_type = -1;
  snprintf(st->path, sizeof(st->path), "%s", path);
  sftStatus status = sf_store_check_path(path, force, e);
  if (status != SF_OK) return status;
  double t0 = omp_get_wtime();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

  // latest file format (needed for SWMR); exclusive create unless forced
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0) {
    if (fapl >= 0) H5Pclose(fapl);
    return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 could not set up file access", path);
  }
  st->file = H5Fcreate(path, force ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (st->file < 0) {
    return sf_fail(e, access(path, F_OK) == 0 && !force ? SF_ERR_INPUT : SF_ERR_RUN,
                   "store '%s': cannot create the file (%s)", path,
                   access(path, F_OK) == 0 ? "it exists" : "HDF5 create failed");
  }

  // metadata and datasets, then SWMR write mode
  st->row_type = sf_store_row_type();
  if (st->row_type < 0 || sf_store_write_meta(st->file, meta) < 0 ||
      (st->episodes = sf_store_make_episodes(st->file, st->row_type)) < 0 ||
      H5Fstart_swmr_write(st->file) < 0) {
    sf_store_close(st, NULL);
    unlink(path);
    return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 failed while writing the metadata", path);
  }
  st->io_s += omp_get_wtime() - t0;
  return SF_OK;
}

sftStatus sf_store_append(sfStore* st, const sfEpisodeResult* res, int n, const char* controller,
                          sfError* e) {
  if (n <= 0) return SF_OK;
  double t0 = omp_get_wtime();
  sfEpisodeRow* rows = malloc(sizeof(sfEpisodeRow) * (size_t)n);
  SF_ASSERT(rows);
  for (int i = 0; i < n; i++) sf_store_row(&res[i], controller, &rows[i]);

  // grow, select the new rows, write, flush
  hsize_t start[1] = {st->nrows}, count[1] = {(hsize_t)n}, total[1] = {st->nrows + (hsize_t)n};
  herr_t rc = H5Dset_extent(st->episodes, total);
  hid_t fspace = rc >= 0 ? H5Dget_space(st->episodes) : -1;
  hid_t mspace = fspace >= 0 ? H5Screate_simple(1, count, NULL) : -1;
  rc = mspace >= 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) : -1;
  if (rc >= 0) rc = H5Dwrite(st->episodes, st->row_type, mspace, fspace, H5P_DEFAULT, rows);
  if (rc >= 0) rc = H5Fflush(st->file, H5F_SCOPE_GLOBAL);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  free(rows);
  st->io_s += omp_get_wtime() - t0;
  if (rc < 0) return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 failed to append %d rows", st->path, n);
  st->nrows += (hsize_t)n;
  return SF_OK;
}

sftStatus sf_store_close(sfStore* st, sfError* e) {
  herr_t rc = 0;
  if (st->episodes >= 0) rc |= H5Dclose(st->episodes);
  if (st->row_type >= 0) rc |= H5Tclose(st->row_type);
  if (st->file >= 0) rc |= H5Fclose(st->file);
  st->episodes = st->row_type = st->file = -1;
  if (rc < 0) return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 failed to close the file", st->path);
  return SF_OK;
}
