// The out-of-line half of LineSplitter (internal.hpp): holding a partial line between chunks
// and reporting lines longer than the limit without keeping their bytes.
#include "codecs/internal.hpp"

#include <fmt/format.h>

namespace sea::codecs::detail {

void LineSplitter::append_partial(const char* data, std::size_t size, FrameSink& sink) {
  if (oversized_) return;
  // One byte of slack beyond the limit: it may be the "\r" of a "\r\n" line end, which is not
  // part of the line. Past that, the line is too long whatever follows.
  if (partial_.size() + size > max_ + 1) {
    std::size_t keep = max_ > partial_.size() ? max_ - partial_.size() : 0;
    partial_.append(data, std::min(size, keep));
    report_oversized(std::string_view(partial_).substr(0, max_), sink);
    partial_.clear();
    oversized_ = true;
    return;
  }
  partial_.append(data, size);
}

void LineSplitter::report_oversized(std::string_view head, FrameSink& sink) {
  // The reason must not depend on where the chunks were cut, so it names the limit, not the
  // line's length (which is unknown when the line is dropped as it streams by).
  DecodeError error;
  error.line = line_;
  error.offset = start_;
  error.reason = fmt::format("line longer than max_message_bytes ({} bytes); skipped", max_);
  error.raw = head;
  sink.on_error(error);
}

}  // namespace sea::codecs::detail
