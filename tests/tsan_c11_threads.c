// C11 threads over pthreads, for the ThreadSanitizer pass only (scripts/tsan preloads it).
// librdkafka 2.0.2 (Debian) makes its threads with C11 thrd_create and locks with mtx_*/cnd_*.
// glibc implements those by calling its internal __pthread_* functions, which TSan's
// interceptors (GCC 12 and clang 14 have none for C11 threads) never see: librdkafka's threads
// then run without TSan state (the first malloc in one crashes inside TSan's allocator) and its
// locks are invisible (every hand-over through a librdkafka queue would look like a race).
// Preloaded, these definitions win over glibc's for librdkafka and forward to the public
// pthread functions, which TSan intercepts. glibc's mtx_t and cnd_t have the size and layout of
// pthread_mutex_t and pthread_cond_t, so the casts are what glibc itself does.
//
// tests/tsan.supp has TSan ignore the intercepted calls made from librdkafka's own frames (its
// frees and copies are ordered by atomics TSan cannot see). Its pthread_rwlock_* calls order
// real hand-overs (the metadata cache, topic handles), so they are wrapped here too: called
// from this file, not from librdkafka, they reach TSan's interceptors (found with RTLD_NEXT).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

static int result(int err) {
  if (err == 0) return thrd_success;
  if (err == ENOMEM) return thrd_nomem;
  if (err == EBUSY) return thrd_busy;
  if (err == ETIMEDOUT) return thrd_timedout;
  return thrd_error;
}

struct start {
  thrd_start_t func;
  void* arg;
};

static void* trampoline(void* p) {
  struct start s = *(struct start*)p;
  free(p);
  // thrd_join reads the int back from the pointer, as glibc's own thrd_create does.
  return (void*)(intptr_t)s.func(s.arg);
}

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  struct start* s = malloc(sizeof *s);
  if (s == NULL) return thrd_nomem;
  s->func = func;
  s->arg = arg;
  const int err = pthread_create((pthread_t*)thr, NULL, trampoline, s);
  if (err != 0) free(s);
  return result(err);
}

int thrd_join(thrd_t thr, int* res) {
  void* out = NULL;
  const int err = pthread_join((pthread_t)thr, &out);
  if (err == 0 && res != NULL) *res = (int)(intptr_t)out;
  return result(err);
}

int thrd_detach(thrd_t thr) { return result(pthread_detach((pthread_t)thr)); }

// mtx_init and cnd_init store the initial state by plain assignment (this file is not
// instrumented), as librdkafka's own uninstrumented stores would: TSan meets the mutex at its
// first lock. pthread_mutex_init would be recorded as a write on the initialising thread, and
// librdkafka publishes new objects (a partition, made on a broker thread, then locked by
// rd_kafka_produceva on ours) through atomics TSan cannot see, so every such first lock would
// be reported as a race on the mutex itself.
int mtx_init(mtx_t* m, int type) {
  static const pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
  static const pthread_mutex_t recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
  *(pthread_mutex_t*)m = (type & mtx_recursive) ? recursive : plain;
  return thrd_success;
}

int mtx_lock(mtx_t* m) { return result(pthread_mutex_lock((pthread_mutex_t*)m)); }
int mtx_trylock(mtx_t* m) { return result(pthread_mutex_trylock((pthread_mutex_t*)m)); }
int mtx_timedlock(mtx_t* restrict m, const struct timespec* restrict ts) {
  return result(pthread_mutex_timedlock((pthread_mutex_t*)m, ts));
}
int mtx_unlock(mtx_t* m) { return result(pthread_mutex_unlock((pthread_mutex_t*)m)); }
void mtx_destroy(mtx_t* m) { pthread_mutex_destroy((pthread_mutex_t*)m); }

int cnd_init(cnd_t* c) {
  static const pthread_cond_t initial = PTHREAD_COND_INITIALIZER;
  *(pthread_cond_t*)c = initial;
  return thrd_success;
}
int cnd_signal(cnd_t* c) { return result(pthread_cond_signal((pthread_cond_t*)c)); }
int cnd_broadcast(cnd_t* c) { return result(pthread_cond_broadcast((pthread_cond_t*)c)); }
int cnd_wait(cnd_t* c, mtx_t* m) { return result(pthread_cond_wait((pthread_cond_t*)c, (pthread_mutex_t*)m)); }
int cnd_timedwait(cnd_t* restrict c, mtx_t* restrict m, const struct timespec* restrict ts) {
  return result(pthread_cond_timedwait((pthread_cond_t*)c, (pthread_mutex_t*)m, ts));
}
void cnd_destroy(cnd_t* c) { pthread_cond_destroy((pthread_cond_t*)c); }

void call_once(once_flag* flag, void (*func)(void)) { pthread_once((pthread_once_t*)flag, func); }

#define FORWARD_RWLOCK(name)                                                   \
  int name(pthread_rwlock_t* l) {                                              \
    static int (*next)(pthread_rwlock_t*) = NULL;                              \
    if (next == NULL) next = (int (*)(pthread_rwlock_t*))dlsym(RTLD_NEXT, #name); \
    return next(l);                                                            \
  }
FORWARD_RWLOCK(pthread_rwlock_rdlock)
FORWARD_RWLOCK(pthread_rwlock_wrlock)
FORWARD_RWLOCK(pthread_rwlock_tryrdlock)
FORWARD_RWLOCK(pthread_rwlock_trywrlock)
FORWARD_RWLOCK(pthread_rwlock_unlock)
FORWARD_RWLOCK(pthread_rwlock_destroy)

int pthread_rwlock_init(pthread_rwlock_t* restrict l, const pthread_rwlockattr_t* restrict attr) {
  static int (*next)(pthread_rwlock_t*, const pthread_rwlockattr_t*) = NULL;
  if (next == NULL) next = (int (*)(pthread_rwlock_t*, const pthread_rwlockattr_t*))dlsym(RTLD_NEXT, "pthread_rwlock_init");
  return next(l, attr);
}
