// FIFO creation and removal with the checks of fifo.hpp: lstat before and after mkfifo, O_NOFOLLOW
// on open, and a device/inode comparison before every open and unlink.
#include "loop/fifo.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sea::loop {

Result<Fifo> Fifo::create(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISFIFO(st.st_mode))
      return make_error(Errc::exists, "{} exists and is not a FIFO: refusing to touch it", path);
    // A FIFO left behind by an earlier run that died: replace it.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "unlink stale FIFO " + path);
  } else if (errno != ENOENT) {
    return errno_error(errno, "lstat " + path);
  }
  if (::mkfifo(path.c_str(), 0600) != 0) return errno_error(errno, "mkfifo " + path);
  if (::lstat(path.c_str(), &st) != 0) return errno_error(errno, "lstat " + path);
  if (!S_ISFIFO(st.st_mode)) return make_error(Errc::io, "{} was replaced while being created", path);
  // mkfifo honours the umask; make the mode exactly 0600 whatever the umask was.
  if ((st.st_mode & 07777) != 0600 && ::chmod(path.c_str(), 0600) != 0) return errno_error(errno, "chmod " + path);
  return Fifo(path, st.st_dev, st.st_ino);
}

Fifo::Fifo(Fifo&& other) noexcept
    : path_(std::move(other.path_)), dev_(other.dev_), ino_(other.ino_), removed_(other.removed_) {
  other.removed_ = true;
}

Fifo& Fifo::operator=(Fifo&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    dev_ = other.dev_;
    ino_ = other.ino_;
    removed_ = other.removed_;
    other.removed_ = true;
  }
  return *this;
}

Fifo::~Fifo() { remove(); }

bool Fifo::still_ours() const {
  struct stat st {};
  return ::lstat(path_.c_str(), &st) == 0 && S_ISFIFO(st.st_mode) && st.st_dev == dev_ && st.st_ino == ino_;
}

Result<int> Fifo::open_checked(int flags) const {
  const int fd = ::open(path_.c_str(), flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, "open " + path_);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_dev != dev_ || st.st_ino != ino_) {
    ::close(fd);
    return make_error(Errc::io, "{} is no longer the FIFO sea made (replaced while running)", path_);
  }
  return fd;
}

Result<int> Fifo::open_read() const { return open_checked(O_RDONLY); }
Result<int> Fifo::open_write() const { return open_checked(O_WRONLY); }

void Fifo::remove() {
  if (removed_ || path_.empty()) return;
  removed_ = true;
  if (still_ours()) ::unlink(path_.c_str());
}

}  // namespace sea::loop

#include <sys/inotify.h>

namespace sea::loop {

FifoReaderCloseWatch::FifoReaderCloseWatch(Loop& loop, const Fifo& fifo, std::function<void()> on_close)
    : fifo_(fifo), on_close_(std::move(on_close)), loop_(loop) {}

FifoReaderCloseWatch::~FifoReaderCloseWatch() {
  watch_.reset();
  if (fd_ >= 0) ::close(fd_);
}

Result<void> FifoReaderCloseWatch::start() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return errno_error(errno, "inotify_init1");
  if (::inotify_add_watch(fd_, fifo_.path().c_str(), IN_CLOSE_NOWRITE | IN_DONT_FOLLOW) < 0)
    return errno_error(errno, "inotify_add_watch " + fifo_.path());
  watch_ = std::make_unique<FdWatch>(loop_, fd_);
  return watch_->start(FdWatch::readable, [this](int) {
    alignas(struct inotify_event) char buf[4096];
    bool closed = false;
    while (true) {
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        const auto* ev = reinterpret_cast<const struct inotify_event*>(p);
        if (ev->mask & IN_CLOSE_NOWRITE) closed = true;
        p += sizeof(struct inotify_event) + ev->len;
      }
    }
    if (closed) on_close_();
  });
}

}  // namespace sea::loop
