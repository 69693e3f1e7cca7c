// journal.c: the rollback-journal file driver (an H5FD class like HDF5's sec2 driver, plus the
// journal), the rollback, the commit and the stamps readers compare.
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rng.h"

#define SF_JOURNAL_MAGIC "SFJRNL01"
#define SF_JOURNAL_HEADER 24       // magic, old length, check
#define SF_JOURNAL_RECORD_HEAD 12  // page (u64), length (u32)
#define SF_JOURNAL_MAXADDR ((haddr_t)1 << 62)

// the driver's per-open-file state
typedef struct sfJournalFile_ {
  H5FD_t pub;  // HDF5's part; must be first
  int fd;      // the file
  int jfd;     // its journal (-1: none)
  sftJournalMode mode;
  haddr_t eoa;            // end of the allocated address space (HDF5's)
  haddr_t eof;            // end of the file as this open sees it
  haddr_t eof0;           // length at the last commit: the pages below it are journaled
  uint8_t* saved;         // write mode: a bit per page below eof0, set once it is in the journal
  int64_t* where;         // read mode: journal offset of each page's copy (-1: none), eof0 pages
  int err;                // errno of the first failed write: from then on writes go to memory
  uint64_t* mkey;         // after a failure: the pages written since, in memory (open addressing:
  unsigned char** mpage;  // key page + 1, 0 free), mcap slots, mn used
  size_t mcap, mn;
  dev_t dev;
  ino_t ino;
} sfJournalFile;

// what the file access property list carries
typedef struct sfJournalInfo_ {
  int mode;  // sftJournalMode
} sfJournalInfo;

// ---------------------------------- writes, counted (test hook) --------------------------------

static long sf_journal_count = 0;
static long sf_journal_kill_at = -1;  // -1: not read yet; 0: never

// print the write count at exit (SUTUREFLEET_COUNT_WRITES)
static void sf_journal_report(void) {
  fprintf(stderr, "suturefleet: %ld store writes\n", sf_journal_count);
}

// count one write; kill the process when the test hook says this is the one
static void sf_journal_tick(void) {
  if (sf_journal_kill_at < 0) {
    const char* k = getenv("SUTUREFLEET_KILL_AT_WRITE");
    sf_journal_kill_at = k ? atol(k) : 0;
    if (getenv("SUTUREFLEET_COUNT_WRITES")) atexit(sf_journal_report);
  }
  if (++sf_journal_count == sf_journal_kill_at) raise(SIGKILL);
}

long sf_journal_writes(void) {
  return sf_journal_count;
}

// all of buf at offset off of fd; -1 with errno set
static int sf_pwrite_all(int fd, const void* buf, size_t n, off_t off) {
  const char* p = buf;
  sf_journal_tick();
  while (n > 0) {
    ssize_t w = pwrite(fd, p, n, off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    if (w == 0) return errno = EIO, -1;
    p += w, n -= (size_t)w, off += w;
  }
  return 0;
}

// n bytes at offset off of fd into buf, zeros past the end of the file; -1 with errno set
static int sf_pread_all(int fd, void* buf, size_t n, off_t off) {
  char* p = buf;
  while (n > 0) {
    ssize_t r = pread(fd, p, n, off);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) {
      memset(p, 0, n);
      return 0;
    }
    p += r, n -= (size_t)r, off += r;
  }
  return 0;
}

// ---------------------------------- the journal file -------------------------------------------

int sf_journal_path(const char* path, char* out, size_t n) {
  int len = snprintf(out, n, "%s%s", path, SF_JOURNAL_SUFFIX);
  return len < 0 || (size_t)len >= n ? -1 : 0;
}

// the header for old length eof0
static void sf_journal_header(uint64_t eof0, unsigned char h[SF_JOURNAL_HEADER]) {
  memcpy(h, SF_JOURNAL_MAGIC, 8);
  memcpy(h + 8, &eof0, 8);
  uint64_t check = sf_fnv1a(SF_FNV_SEED, h, 16);
  memcpy(h + 16, &check, 8);
}

// the old length from a journal's header; -1 if it is not a complete header
static int64_t sf_journal_read_header(int jfd) {
  unsigned char h[SF_JOURNAL_HEADER], want[SF_JOURNAL_HEADER];
  if (pread(jfd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) return -1;
  uint64_t eof0;
  memcpy(&eof0, h + 8, 8);
  sf_journal_header(eof0, want);
  if (memcmp(h, want, sizeof(h)) || eof0 >= SF_JOURNAL_MAXADDR) return -1;
  return (int64_t)eof0;
}

// the journal offset of each page's first copy (where[p], -1: none; npage pages); records are
// read until the first that is incomplete or fails its check; -1 on a read error
static int sf_journal_index(int jfd, int64_t* where, uint64_t npage) {
  unsigned char buf[SF_JOURNAL_RECORD_HEAD + SF_JOURNAL_PAGE + 8];
  for (uint64_t p = 0; p < npage; p++) where[p] = -1;
  for (off_t off = SF_JOURNAL_HEADER;;) {
    ssize_t r = pread(jfd, buf, SF_JOURNAL_RECORD_HEAD, off);
    if (r < 0) return -1;
    if (r < SF_JOURNAL_RECORD_HEAD) return 0;
    uint64_t page, check;
    uint32_t len;
    memcpy(&page, buf, 8);
    memcpy(&len, buf + 8, 4);
    if (len == 0 || len > SF_JOURNAL_PAGE || page >= npage) return 0;
    size_t total = SF_JOURNAL_RECORD_HEAD + len + 8;
    if (pread(jfd, buf, total, off) != (ssize_t)total) return 0;
    memcpy(&check, buf + SF_JOURNAL_RECORD_HEAD + len, 8);
    if (check != sf_fnv1a(SF_FNV_SEED, buf, SF_JOURNAL_RECORD_HEAD + len)) return 0;
    if (where[page] < 0) where[page] = (int64_t)off + SF_JOURNAL_RECORD_HEAD;
    off += (off_t)total;
  }
}

// pages of a length
static uint64_t sf_journal_pages(haddr_t len) {
  return (len + SF_JOURNAL_PAGE - 1) / SF_JOURNAL_PAGE;
}

// copy page p (as it is in the file now, up to eof0) into the journal unless it is there
// already; -1 with errno set
static int sf_journal_save(sfJournalFile* f, uint64_t p) {
  if (f->saved[p / 8] & (1u << (p % 8))) return 0;
  unsigned char rec[SF_JOURNAL_RECORD_HEAD + SF_JOURNAL_PAGE + 8];
  haddr_t start = (haddr_t)p * SF_JOURNAL_PAGE;
  uint32_t len = (uint32_t)(f->eof0 - start < SF_JOURNAL_PAGE ? f->eof0 - start : SF_JOURNAL_PAGE);
  memcpy(rec, &p, 8);
  memcpy(rec + 8, &len, 4);
  if (sf_pread_all(f->fd, rec + SF_JOURNAL_RECORD_HEAD, len, (off_t)start) < 0) return -1;
  uint64_t check = sf_fnv1a(SF_FNV_SEED, rec, SF_JOURNAL_RECORD_HEAD + len);
  memcpy(rec + SF_JOURNAL_RECORD_HEAD + len, &check, 8);
  off_t end = lseek(f->jfd, 0, SEEK_END);
  if (end < 0 || sf_pwrite_all(f->jfd, rec, SF_JOURNAL_RECORD_HEAD + len + 8, end) < 0) return -1;
  f->saved[p / 8] |= (uint8_t)(1u << (p % 8));
  return 0;
}

// journal every page below eof0 that [lo, hi) touches; -1 with errno set
static int sf_journal_save_range(sfJournalFile* f, haddr_t lo, haddr_t hi) {
  if (hi > f->eof0) hi = f->eof0;
  for (haddr_t a = lo - lo % SF_JOURNAL_PAGE; a < hi; a += SF_JOURNAL_PAGE) {
    if (sf_journal_save(f, a / SF_JOURNAL_PAGE) < 0) return -1;
  }
  return 0;
}

// ---------------------------------- after a failure: memory ------------------------------------
//
// After the first failed write (a full disk, an I/O error) the rest of the round is kept in
// memory: HDF5 sees every write succeed and reads back what it wrote, so it finishes the round
// and closes the file without entering a half-closed state (HDF5 1.10 cannot close a file
// cleanly after a failed flush); the store then finds the error and rolls the round back.

// the slot of page p (its key, or the free slot where it would go)
static size_t sf_journal_slot(const sfJournalFile* f, uint64_t p) {
  size_t i = (size_t)((p * 0x9e3779b97f4a7c15ull) % f->mcap);
  while (f->mkey[i] && f->mkey[i] != p + 1) i = (i + 1) % f->mcap;
  return i;
}

// page p in memory, made from the file's bytes if it is not there yet; NULL without memory
static unsigned char* sf_journal_mem_page(sfJournalFile* f, uint64_t p) {
  if (2 * (f->mn + 1) > f->mcap) {  // grow: twice the slots, every page moved
    sfJournalFile g = *f;
    g.mcap = f->mcap ? 2 * f->mcap : 256;
    g.mkey = SF_CALLOC(g.mcap, sizeof(uint64_t));
    g.mpage = SF_CALLOC(g.mcap, sizeof(unsigned char*));
    for (size_t i = 0; i < f->mcap; i++) {
      if (!f->mkey[i]) continue;
      size_t j = sf_journal_slot(&g, f->mkey[i] - 1);
      g.mkey[j] = f->mkey[i], g.mpage[j] = f->mpage[i];
    }
    free(f->mkey), free(f->mpage);
    f->mkey = g.mkey, f->mpage = g.mpage, f->mcap = g.mcap;
  }
  size_t i = sf_journal_slot(f, p);
  if (f->mkey[i]) return f->mpage[i];
  unsigned char* page = SF_CALLOC(SF_JOURNAL_PAGE, 1);
  if (sf_pread_all(f->fd, page, SF_JOURNAL_PAGE, (off_t)p * SF_JOURNAL_PAGE) < 0) {
    free(page);
    return NULL;
  }
  f->mkey[i] = p + 1, f->mpage[i] = page, f->mn++;
  return page;
}

// page p if it is in memory, else NULL
static const unsigned char* sf_journal_mem_find(const sfJournalFile* f, uint64_t p) {
  if (!f->mn) return NULL;
  size_t i = sf_journal_slot(f, p);
  return f->mkey[i] ? f->mpage[i] : NULL;
}

// write [addr, addr + size) into memory; -1 without memory
static int sf_journal_mem_write(sfJournalFile* f, haddr_t addr, size_t size, const void* buf) {
  for (const char* q = buf; size > 0;) {
    size_t in = SF_JOURNAL_PAGE - addr % SF_JOURNAL_PAGE, n = in < size ? in : size;
    unsigned char* page = sf_journal_mem_page(f, addr / SF_JOURNAL_PAGE);
    if (!page) return -1;
    memcpy(page + addr % SF_JOURNAL_PAGE, q, n);
    q += n, addr += n, size -= n;
  }
  return 0;
}

// the last closed write-mode file's first error (the store asks once the file is closed)
static int sf_journal_closed_err = 0;

int sf_journal_closed_errno(void) {
  return sf_journal_closed_err;
}

// ---------------------------------- the driver -------------------------------------------------

static hid_t sf_journal_id = -1;

// write mode: create the journal (its header first, before any write to the file)
static int sf_journal_start(sfJournalFile* f, const char* name) {
  char jpath[4200];
  unsigned char h[SF_JOURNAL_HEADER];
  if (sf_journal_path(name, jpath, sizeof(jpath)) < 0) return errno = ENAMETOOLONG, -1;
  f->jfd = open(jpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (f->jfd < 0) return -1;
  f->eof0 = f->eof;
  f->saved = SF_CALLOC(sf_journal_pages(f->eof0) / 8 + 1, 1);  // eof0: the file's own size
  sf_journal_header((uint64_t)f->eof0, h);
  if (sf_pwrite_all(f->jfd, h, sizeof(h), 0) < 0) {
    int err = errno;
    unlink(jpath);
    return errno = err, -1;
  }
  return 0;
}

// read mode: the journal's copies, if there is a journal with a complete header
static int sf_journal_overlay(sfJournalFile* f, const char* name) {
  char jpath[4200];
  if (sf_journal_path(name, jpath, sizeof(jpath)) < 0) return 0;
  f->jfd = open(jpath, O_RDONLY | O_CLOEXEC);
  if (f->jfd < 0) return errno == ENOENT ? 0 : -1;
  int64_t eof0 = sf_journal_read_header(f->jfd);
  if (eof0 < 0) {  // cut short before the writer wrote anything: no change to undo
    close(f->jfd);
    f->jfd = -1;
    return 0;
  }
  f->eof0 = f->eof = (haddr_t)eof0;
  // eof0 comes from the journal's header: a failed allocation fails the open (not SF_CALLOC)
  f->where = malloc((sf_journal_pages(f->eof0) + 1) * sizeof(int64_t));
  if (!f->where) return errno = ENOMEM, -1;
  return sf_journal_index(f->jfd, f->where, sf_journal_pages(f->eof0));
}

static herr_t sf_journal_close(H5FD_t* file);

static H5FD_t* sf_journal_open(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  const sfJournalInfo* info = H5Pget_driver_info(fapl);
  sftJournalMode mode = info ? (sftJournalMode)info->mode : SF_JOURNAL_READ;
  if (mode == SF_JOURNAL_READ && (flags & H5F_ACC_RDWR)) return NULL;
  if (flags & (H5F_ACC_TRUNC | H5F_ACC_CREAT)) return NULL;  // stores are created elsewhere
  sfJournalFile* f = SF_CALLOC(1, sizeof(*f));
  f->jfd = -1;
  f->mode = mode;

  // the file, then its journal (write: a new one; read: the one present, if any)
  struct stat sb;
  f->fd = open(name, (mode == SF_JOURNAL_WRITE ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (f->fd < 0 || fstat(f->fd, &sb) < 0) {
    sf_journal_close(&f->pub);
    return NULL;
  }
  f->eof = (haddr_t)sb.st_size;
  f->dev = sb.st_dev;
  f->ino = sb.st_ino;
  int rc = mode == SF_JOURNAL_WRITE ? sf_journal_start(f, name) : sf_journal_overlay(f, name);
  if (rc < 0) {
    sf_journal_close(&f->pub);
    return NULL;
  }
  return &f->pub;
}

static herr_t sf_journal_close(H5FD_t* file) {
  sfJournalFile* f = (sfJournalFile*)file;
  if (f->mode == SF_JOURNAL_WRITE) {
    if (f->fd >= 0 && close(f->fd) < 0 && !f->err) f->err = errno;
    if (f->jfd >= 0 && close(f->jfd) < 0 && !f->err) f->err = errno;
    sf_journal_closed_err = f->err;
  } else {
    if (f->fd >= 0) close(f->fd);
    if (f->jfd >= 0) close(f->jfd);
  }
  for (size_t i = 0; i < f->mcap; i++) free(f->mpage[i]);
  free(f->mkey);
  free(f->mpage);
  free(f->saved);
  free(f->where);
  free(f);
  return 0;
}

static int sf_journal_cmp(const H5FD_t* a, const H5FD_t* b) {
  const sfJournalFile *x = (const sfJournalFile*)a, *y = (const sfJournalFile*)b;
  if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
  if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
  return 0;
}

static herr_t sf_journal_query(const H5FD_t* file, unsigned long* flags) {
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_SUPPORTS_SWMR_IO |
           H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

static haddr_t sf_journal_get_eoa(const H5FD_t* file, H5FD_mem_t type) {
  return ((const sfJournalFile*)file)->eoa;
}

static herr_t sf_journal_set_eoa(H5FD_t* file, H5FD_mem_t type, haddr_t addr) {
  ((sfJournalFile*)file)->eoa = addr;
  return 0;
}

static haddr_t sf_journal_get_eof(const H5FD_t* file, H5FD_mem_t type) {
  return ((const sfJournalFile*)file)->eof;
}

static herr_t sf_journal_get_handle(H5FD_t* file, hid_t fapl, void** handle) {
  *handle = file;
  return 0;
}

static herr_t sf_journal_read(H5FD_t* file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                              void* buf) {
  sfJournalFile* f = (sfJournalFile*)file;
  if (addr == HADDR_UNDEF || addr + size > f->eoa) return -1;
  if (!f->where && !f->mn) return sf_pread_all(f->fd, buf, size, (off_t)addr) < 0 ? -1 : 0;

  // write mode after a failure: the pages in memory, the file for the rest; read mode: the file
  // as of the last commit, a page's journal copy where there is one, zeros past eof0
  for (char* p = buf; size > 0;) {
    uint64_t page = addr / SF_JOURNAL_PAGE;
    size_t in = SF_JOURNAL_PAGE - addr % SF_JOURNAL_PAGE, n = in < size ? in : size;
    const unsigned char* mem = sf_journal_mem_find(f, page);
    int rc = 0;
    if (mem)
      memcpy(p, mem + addr % SF_JOURNAL_PAGE, n);
    else if (!f->where)
      rc = sf_pread_all(f->fd, p, n, (off_t)addr);
    else if (addr >= f->eof0)
      memset(p, 0, n);
    else if (f->where[page] >= 0)
      rc = sf_pread_all(f->jfd, p, n, (off_t)(f->where[page] + (int64_t)(addr % SF_JOURNAL_PAGE)));
    else
      rc = sf_pread_all(f->fd, p, n, (off_t)addr);
    if (rc < 0) return -1;
    if (f->where && addr < f->eof0 && addr + n > f->eof0) {
      memset(p + (f->eof0 - addr), 0, addr + n - f->eof0);
    }
    p += n, addr += n, size -= n;
  }
  return 0;
}

static herr_t sf_journal_write(H5FD_t* file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                               const void* buf) {
  sfJournalFile* f = (sfJournalFile*)file;
  if (f->mode != SF_JOURNAL_WRITE || addr == HADDR_UNDEF || addr + size > f->eoa) return -1;

  // the old bytes into the journal, then the new ones into the file; after a failure, memory
  if (!f->err && (sf_journal_save_range(f, addr, addr + size) < 0 ||
                  sf_pwrite_all(f->fd, buf, size, (off_t)addr) < 0)) {
    f->err = errno ? errno : EIO;
  }
  if (f->err && sf_journal_mem_write(f, addr, size, buf) < 0) return -1;
  if (addr + size > f->eof) f->eof = addr + size;
  return 0;
}

static herr_t sf_journal_truncate(H5FD_t* file, hid_t dxpl, hbool_t closing) {
  sfJournalFile* f = (sfJournalFile*)file;
  if (f->mode != SF_JOURNAL_WRITE || f->eoa == f->eof) return 0;

  // the pages a shorter file loses go into the journal first (after a failure: nothing is cut,
  // the rollback does it)
  if (!f->err && f->eoa < f->eof0 && sf_journal_save_range(f, f->eoa, f->eof0) < 0) {
    f->err = errno ? errno : EIO;
  }
  if (!f->err) sf_journal_tick();
  if (!f->err && ftruncate(f->fd, (off_t)f->eoa) < 0) f->err = errno ? errno : EIO;
  f->eof = f->eoa;
  return 0;
}

static herr_t sf_journal_lock(H5FD_t* file, hbool_t rw) {
  return 0;  // the store's writer lock is its own (lock.h); readers never lock
}

static herr_t sf_journal_unlock(H5FD_t* file) {
  return 0;
}

static const H5FD_class_t sf_journal_class = {"suturefleet-journal",
                                              SF_JOURNAL_MAXADDR,
                                              H5F_CLOSE_WEAK,
                                              NULL,  // terminate
                                              NULL,  // sb_size
                                              NULL,  // sb_encode
                                              NULL,  // sb_decode
                                              sizeof(sfJournalInfo),
                                              NULL,  // fapl_get
                                              NULL,  // fapl_copy
                                              NULL,  // fapl_free
                                              0,     // dxpl_size
                                              NULL,  // dxpl_copy
                                              NULL,  // dxpl_free
                                              sf_journal_open,
                                              sf_journal_close,
                                              sf_journal_cmp,
                                              sf_journal_query,
                                              NULL,  // get_type_map
                                              NULL,  // alloc
                                              NULL,  // free
                                              sf_journal_get_eoa,
                                              sf_journal_set_eoa,
                                              sf_journal_get_eof,
                                              sf_journal_get_handle,
                                              sf_journal_read,
                                              sf_journal_write,
                                              NULL,  // flush
                                              sf_journal_truncate,
                                              sf_journal_lock,
                                              sf_journal_unlock,
                                              H5FD_FLMAP_DICHOTOMY};

hid_t sf_journal_fapl(sftJournalMode mode) {
  if (sf_journal_id < 0 || H5Iis_valid(sf_journal_id) <= 0) {
    sf_journal_id = H5FDregister(&sf_journal_class);
    if (sf_journal_id < 0) return -1;
  }
  sfJournalInfo info = {(int)mode};
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  if (H5Pset_driver(fapl, sf_journal_id, &info) < 0 ||
      H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
      H5Pset_file_locking(fapl, 0, 1) < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

// the driver state of an open file, NULL if it is not opened through this driver
static sfJournalFile* sf_journal_of(hid_t file) {
  hid_t fapl = H5Fget_access_plist(file);
  if (fapl < 0) return NULL;
  hid_t driver = H5Pget_driver(fapl);
  H5Pclose(fapl);
  void* handle = NULL;
  if (driver != sf_journal_id || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0) return NULL;
  return handle;
}

void sf_journal_discard(hid_t file) {
  sfJournalFile* f = sf_journal_of(file);
  if (f && !f->err) f->err = ECANCELED;
}

int sf_journal_errno(hid_t file) {
  sfJournalFile* f = sf_journal_of(file);
  return f ? f->err : 0;
}

// ---------------------------------- rollback, commit, stamps -----------------------------------

// copy the journal's pages back into fd and cut it to eof0; -1 with errno set
static int sf_journal_restore(int fd, int jfd, int64_t eof0) {
  uint64_t npage = sf_journal_pages((haddr_t)eof0);
  // eof0 comes from the journal's header: a failed allocation fails the restore (not SF_CALLOC)
  int64_t* where = malloc((npage + 1) * sizeof(int64_t));
  if (!where) return errno = ENOMEM, -1;
  int rc = sf_journal_index(jfd, where, npage);
  unsigned char page[SF_JOURNAL_PAGE];
  for (uint64_t p = 0; rc == 0 && p < npage; p++) {
    if (where[p] < 0) continue;
    int64_t start = (int64_t)p * SF_JOURNAL_PAGE;
    size_t len = (size_t)(eof0 - start < SF_JOURNAL_PAGE ? eof0 - start : SF_JOURNAL_PAGE);
    rc = sf_pread_all(jfd, page, len, (off_t)where[p]);
    if (rc == 0) rc = sf_pwrite_all(fd, page, len, (off_t)start);
  }
  free(where);
  if (rc == 0) rc = ftruncate(fd, (off_t)eof0);
  if (rc == 0) rc = fsync(fd);
  return rc;
}

sftStatus sf_journal_rollback(const char* path, int* rolled, sfError* e) {
  char jpath[4200];
  if (rolled) *rolled = 0;
  if (sf_journal_path(path, jpath, sizeof(jpath)) < 0) {
    return sf_fail(e, SF_ERR_INPUT, "store '%s': path too long", path);
  }
  int jfd = open(jpath, O_RDONLY | O_CLOEXEC);
  if (jfd < 0 && errno == ENOENT) return SF_OK;
  if (jfd < 0) {
    return sf_fail(e, SF_ERR_RUN, "store '%s': cannot read its journal '%s' (%s)", path, jpath,
                   strerror(errno));
  }

  // a journal cut short before its header was complete: the file was not touched
  int64_t eof0 = sf_journal_read_header(jfd);
  int rc = 0, fd = -1;
  if (eof0 >= 0) {
    fd = open(path, O_RDWR | O_CLOEXEC);
    rc = fd < 0 ? -1 : sf_journal_restore(fd, jfd, eof0);
  }
  int err = errno;
  if (fd >= 0) close(fd);
  close(jfd);
  if (rc < 0) {
    return sf_fail(e, SF_ERR_RUN,
                   "store '%s': cannot roll back the round an interrupted writer left (%s); "
                   "the journal '%s' is kept, so the next --resume tries again",
                   path, strerror(err), jpath);
  }
  if (unlink(jpath) < 0 && errno != ENOENT) {
    return sf_fail(e, SF_ERR_RUN, "store '%s': cannot delete its journal '%s' (%s)", path, jpath,
                   strerror(errno));
  }
  if (rolled) *rolled = eof0 >= 0;
  return SF_OK;
}

int sf_journal_commit(const char* path) {
  char jpath[4200];
  if (sf_journal_path(path, jpath, sizeof(jpath)) < 0) return errno = ENAMETOOLONG, -1;
  return unlink(jpath) < 0 && errno != ENOENT ? -1 : 0;
}

void sf_journal_stamp(const char* path, sfJournalStamp* s) {
  struct stat sb;
  char jpath[4200];
  memset(s, 0, sizeof(*s));
  s->file_size = s->journal_size = s->journal_ino = -1;
  if (stat(path, &sb) == 0) {
    s->file_size = sb.st_size;
    s->file_ino = (int64_t)sb.st_ino;
    s->file_mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
  }
  if (sf_journal_path(path, jpath, sizeof(jpath)) == 0 && stat(jpath, &sb) == 0) {
    s->journal_size = sb.st_size;
    s->journal_ino = (int64_t)sb.st_ino;
  }
}

int sf_journal_stamp_same(const sfJournalStamp* a, const sfJournalStamp* b) {
  if (a->journal_ino != b->journal_ino || a->journal_size != b->journal_size) return 0;
  if (a->journal_ino >= 0) return 1;  // the journal's copies are what a reader sees
  return a->file_ino == b->file_ino && a->file_size == b->file_size &&
         a->file_mtime_ns == b->file_mtime_ns;
}
