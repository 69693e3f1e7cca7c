// journal.h: kill-safe HDF5 writes through a rollback journal (an HDF5 virtual file driver).
//
// HDF5 1.10 updates a file's metadata in place and has no journal of its own, so a writer
// killed in the middle of a write, or stopped by a full disk, can leave a file no tool opens.
// The store therefore writes through this driver: before a byte that existed when the file was
// opened is overwritten (or cut off by a truncation), the 4 KiB page that holds it is copied
// into PATH-journal; bytes beyond the old end of the file go straight to the file. A writer
// that finishes a round closes the file and deletes the journal (the commit); one that fails
// rolls the file back itself; one that was killed leaves the journal for the next writer to
// roll back (sf_journal_rollback): the pages are copied back and the file is cut to its old
// length, so the file is byte for byte what the last commit left. A rollback interrupted by
// another kill is simply done again.
//
// Readers open the file through the same driver in read mode: with a journal present they see
// the journal's copy of every page it holds and the old length, that is the file as of the last
// commit, whether the writer is alive or dead, and they never write anything. A reader that
// raced a live writer finds out afterwards (sf_journal_stamp differs) and reads again.
//
// Journal file: a header {"SFJRNL01", old length (u64), FNV-1a of the previous 16 bytes (u64)}
// then records {page (u64), length (u32), bytes, FNV-1a of page, length and bytes (u64)}; a
// record cut short by a kill fails its check and ends the journal (its page was not yet
// overwritten: a record is complete before the write it protects). Durability against power
// loss is not promised (no fsync); a killed process, a full disk and I/O errors are.
#ifndef SUTUREFLEET_SIM_JOURNAL_H_
#define SUTUREFLEET_SIM_JOURNAL_H_

#include <stdint.h>
#include <hdf5.h>

#include "status.h"

#define SF_JOURNAL_PAGE 4096  // bytes per journaled page
#define SF_JOURNAL_SUFFIX "-journal"

// how a file is opened through the driver
typedef enum sftJournalMode_ {
  SF_JOURNAL_READ = 0,  // read only, the file as of its last commit
  SF_JOURNAL_WRITE = 1  // read and write, every overwritten page journaled first
} sftJournalMode;

// what a reader compares before and after reading, to know no writer changed the file meanwhile
typedef struct sfJournalStamp_ {
  int64_t file_size, file_mtime_ns, file_ino;  // the file
  int64_t journal_size, journal_ino;           // its journal (-1: none)
} sfJournalStamp;

// a file access property list that opens files through the journal driver in mode (latest file
// format, HDF5's own file locks off); the caller closes it; < 0 on failure
hid_t sf_journal_fapl(sftJournalMode mode);

// the journal's path for a file into out (n bytes); -1 if it does not fit
int sf_journal_path(const char* path, char* out, size_t n);

// restore the file at path to its last commit if a journal is present (the caller holds the
// writer lock); *rolled (may be NULL) says whether there was one; SF_ERR_RUN naming the file and
// the system error if the restore fails (the journal is then kept, so it can be done again)
sftStatus sf_journal_rollback(const char* path, int* rolled, sfError* e);

// commit the round written through the driver into path: delete its journal (none: nothing to
// do); -1 with errno set
int sf_journal_commit(const char* path);

// After the first failed write to a file (a full disk, an I/O error) the driver keeps the rest
// of the round in memory, so HDF5 finishes and closes the file cleanly; the store then rolls
// the round back. sf_journal_discard does the same on purpose (after any other failure).
void sf_journal_discard(hid_t file);

// the errno of the open file's first failed write or journal write (0: none; ECANCELED after
// sf_journal_discard)
int sf_journal_errno(hid_t file);

// the same for the write-mode file closed last (its close included)
int sf_journal_closed_errno(void);

// the stamp of path and its journal now
void sf_journal_stamp(const char* path, sfJournalStamp* s);

// a reader that took stamp a before reading and b after saw one state of the file: no commit,
// rollback or new journal record came between (pages past the old length are never read)
int sf_journal_stamp_same(const sfJournalStamp* a, const sfJournalStamp* b);

// test hook: with SUTUREFLEET_KILL_AT_WRITE=N in the environment, the process kills itself
// (SIGKILL) just before the N-th write the driver makes (journal or file, counted from 1);
// SUTUREFLEET_COUNT_WRITES=1 prints the count of writes to stderr at exit
long sf_journal_writes(void);

#endif  // SUTUREFLEET_SIM_JOURNAL_H_
