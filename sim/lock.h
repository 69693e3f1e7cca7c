// lock.h: one writer per store: an exclusive lock held for the writer's whole life.
//
// The lock is a POSIX record lock (fcntl F_SETLK, write lock) on a small file beside the store,
// STORE.lock, holding the writer's pid. The kernel drops it when the process ends however it
// ends (a SIGKILL leaves the file, never a held lock: the next writer takes it over); a writer
// that ends normally deletes the file while it still holds the lock, and a writer that locked
// a file which was deleted meanwhile sees that and takes the new one. It is
// taken before the store is created, replaced (--force) or reopened (--resume), so a second
// writer of any kind is refused before it touches anything. Readers never look at it. The
// lock file's path comes from the store's real path (symbolic links and relative paths name
// one lock), so two spellings of one store cannot both write it; a hard link to a store is a
// second name the lock does not see.
#ifndef SUTUREFLEET_SIM_LOCK_H_
#define SUTUREFLEET_SIM_LOCK_H_

#include "status.h"

#define SF_LOCK_SUFFIX ".lock"

// a held writer lock
typedef struct sfLock_ {
  int fd;           // the lock file, open while the lock is held (-1: none)
  char path[4200];  // its path
} sfLock;

// take the writer lock of the store at path (which may not exist yet); SF_ERR_INPUT naming the
// store and the holder's pid when another process holds it, SF_ERR_RUN when the lock file cannot
// be made; l->fd is -1 on failure
sftStatus sf_lock_take(const char* path, sfLock* l, sfError* e);

// release the lock and delete its file; accepts a lock that was never taken
void sf_lock_release(sfLock* l);

#endif  // SUTUREFLEET_SIM_LOCK_H_
