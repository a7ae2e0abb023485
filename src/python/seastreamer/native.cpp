// seastreamer._native: the pybind11 binding of the façade (src/api/). The Python package
// (__init__.py) adds what reads better in Python: connect(), async iteration, processors.
//
// Threading: the GIL is released while a call waits on the loop (next, flush, next_batch), so
// other Python threads run; one cluster is still used by one thread at a time. Messages cross
// in batches: next() takes up to 1024 from the loop at once and hands them out one per call,
// so the per-message cost is making one Python object, not a loop turn.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/seastreamer.hpp"
#include "core/uri.hpp"

namespace py = pybind11;

namespace {

constexpr std::size_t kBatch = 1024;

std::string text_or_bytes(const py::handle& value, const char* what) {
  if (py::isinstance<py::bytes>(value)) return value.cast<std::string>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::bytearray>(value)) return std::string(value.cast<py::bytearray>());
  throw py::type_error(std::string(what) + " must be bytes or str, not " + std::string(py::str(value.get_type().attr("__name__"))));
}

py::str decoded(const std::string& bytes) {
  PyObject* s = PyUnicode_DecodeUTF8(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), "surrogateescape");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

// A payload: bytes and str as they are; anything else (dict, list, number) as JSON.
std::string payload_of(const py::handle& value) {
  if (py::isinstance<py::bytes>(value) || py::isinstance<py::str>(value) || py::isinstance<py::bytearray>(value))
    return text_or_bytes(value, "payload");
  // Kept for the process's life, never released: a static py::object would be released after
  // the interpreter finalized, without the GIL.
  static py::handle dumps = py::object(py::module_::import("json").attr("dumps")).release();
  return dumps(value, py::arg("separators") = py::make_tuple(",", ":")).cast<std::string>();
}

std::int64_t timeout_ms(const std::optional<double>& seconds) {
  if (!seconds) return -1;
  if (*seconds < 0) throw py::value_error("timeout must be >= 0 seconds (or None: wait for ever)");
  return static_cast<std::int64_t>(*seconds * 1000.0);
}

sea::Start start_of(const py::handle& start) {
  if (py::isinstance<py::int_>(start)) return sea::Start::at(start.cast<std::int64_t>());
  return sea::Start::parse(start.cast<std::string>());
}

// A consumer with the batch it is handing out.
class PyConsumer {
 public:
  // The C++ consumer is made with auto_ack(false): it hands whole batches over, and what counts
  // as handed out is what Python was given. With auto_ack, that is acknowledged when Python asks
  // for the next message (or commits).
  PyConsumer(sea::Consumer consumer, bool auto_ack, bool until_end)
      : consumer_(std::move(consumer)), auto_ack_(auto_ack), until_end_(until_end) {}

  std::optional<sea::Message> next(std::optional<double> timeout) {
    ack_handed();
    if (pos_ == batch_.size()) {
      batch_ = wait_batch(kBatch, timeout_ms(timeout));
      pos_ = 0;
    }
    if (pos_ == batch_.size()) return std::nullopt;
    note_handed(batch_[pos_]);
    return std::move(batch_[pos_++]);
  }
  // The rest of the batch in hand, else the next batch (the async iterator's step).
  std::vector<sea::Message> next_batch(std::size_t max, std::optional<double> timeout) {
    ack_handed();
    std::vector<sea::Message> out;
    if (pos_ == batch_.size()) {
      out = wait_batch(max, timeout_ms(timeout));
    } else {
      while (pos_ < batch_.size() && out.size() < max) out.push_back(std::move(batch_[pos_++]));
    }
    for (const sea::Message& m : out) note_handed(m);
    return out;
  }
  void commit() {
    ack_handed();
    py::gil_scoped_release unlocked;
    consumer_.commit();
  }
  sea::Message iter_next() {
    std::optional<sea::Message> m = next(std::nullopt);
    if (!m) throw py::stop_iteration();
    return std::move(*m);
  }
  void seek(const py::handle& time) {
    batch_.clear();
    pos_ = 0;
    handed_.clear();
    sea::Timestamp ms = 0;
    if (py::isinstance<py::int_>(time)) ms = time.cast<std::int64_t>();
    else if (py::isinstance<py::float_>(time)) ms = static_cast<sea::Timestamp>(time.cast<double>() * 1000.0);
    else if (py::isinstance<py::str>(time)) ms = sea::Start::parse("time:" + time.cast<std::string>()).position().time;
    else if (py::hasattr(time, "timestamp")) ms = static_cast<sea::Timestamp>(time.attr("timestamp")().cast<double>() * 1000.0);
    else throw py::type_error("seek takes epoch ms (int), epoch seconds (float), a datetime, or a time string");
    consumer_.seek(ms);
  }
  void assign(sea::ShardId shard, sea::SeqNo seq) {
    // Only what is not handed out yet is dropped: batch_[0, pos_) is moved-from.
    batch_.erase(std::remove_if(batch_.begin() + static_cast<std::ptrdiff_t>(pos_), batch_.end(),
                                [&](const sea::Message& m) { return m.shard == shard; }),
                 batch_.end());
    std::erase_if(handed_, [&](const Handed& h) { return h.shard == shard; });
    consumer_.assign(shard, seq);
  }
  sea::Consumer& consumer() { return consumer_; }
  bool at_end() const { return pos_ == batch_.size() && consumer_.at_end(); }

 private:
  struct Handed {
    std::string stream;
    sea::ShardId shard;
    sea::SeqNo seq;
  };
  // Waits without the GIL, in slices of at most 200 ms: Python runs its signal handlers only
  // with the GIL, so Ctrl-C (KeyboardInterrupt) stops a long wait at the next slice.
  std::vector<sea::Message> wait_batch(std::size_t max, std::int64_t ms) {
    const auto start = std::chrono::steady_clock::now();
    while (true) {
      std::int64_t slice = 200;
      if (ms >= 0) {
        const std::int64_t spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        slice = std::clamp<std::int64_t>(ms - spent, 0, 200);
      }
      std::vector<sea::Message> out;
      {
        py::gil_scoped_release unlocked;
        out = consumer_.next_batch(max, slice);
      }
      if (!out.empty() || (until_end_ && consumer_.at_end())) return out;
      if (ms >= 0 && std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(ms)) return out;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }
  void note_handed(const sea::Message& m) {
    if (!auto_ack_) return;
    for (Handed& h : handed_)
      if (h.shard == m.shard && h.stream == m.stream) {
        h.seq = m.seq;
        return;
      }
    handed_.push_back(Handed{m.stream, m.shard, m.seq});
  }
  void ack_handed() {
    for (const Handed& h : handed_) consumer_.ack(h.stream, h.shard, h.seq);
    handed_.clear();
  }

  sea::Consumer consumer_;
  bool auto_ack_;
  bool until_end_;
  std::vector<sea::Message> batch_;
  std::size_t pos_ = 0;
  std::vector<Handed> handed_;
};

void send(sea::Producer& p, const py::handle& payload, const py::handle& key, const py::handle& headers) {
  if (key.is_none() && headers.is_none()) {
    p.send(payload_of(payload));
    return;
  }
  sea::Message m;
  m.payload = payload_of(payload);
  if (!key.is_none()) m.key = text_or_bytes(key, "key");
  if (!headers.is_none()) {
    for (auto [k, v] : headers.cast<py::dict>()) m.headers.push_back({text_or_bytes(k, "a header name"), text_or_bytes(v, "a header value")});
  }
  p.send(m);
}

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "The C++ binding under the seastreamer package (use `import seastreamer`).";
  // Never destroyed (see dumps above).
  static py::exception<sea::Error>& error_type = *new py::exception<sea::Error>(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const sea::Error& e) {
      py::object err = py::reinterpret_borrow<py::object>(error_type.ptr())(e.what());
      err.attr("code") = sea::errc_name(e.code);
      PyErr_SetObject(error_type.ptr(), err.ptr());
    }
  });

  py::class_<sea::Message>(m, "Message", "One message: payload (bytes), key, headers, stream, shard, seq, timestamp.")
      .def_property_readonly("payload", [](const sea::Message& msg) { return py::bytes(msg.payload); }, "The payload bytes.")
      .def_property_readonly("key", [](const sea::Message& msg) -> py::object {
            if (!msg.key) return py::none();
            return decoded(*msg.key);
          }, "The key as str (undecodable bytes kept as surrogates), or None.")
      .def_property_readonly("headers", [](const sea::Message& msg) {
            py::dict d;
            for (const sea::Header& h : msg.headers) d[decoded(h.key)] = decoded(h.value);
            return d;
          }, "The headers as a dict of str to str.")
      .def_readonly("stream", &sea::Message::stream, "The stream key.")
      .def_readonly("shard", &sea::Message::shard, "The shard (Kafka partition).")
      .def_readonly("seq", &sea::Message::seq, "The sequence number within the shard (Kafka offset).")
      .def_readonly("timestamp", &sea::Message::ts, "Milliseconds since the Unix epoch, UTC.")
      .def("json", [](const sea::Message& msg) {
            static py::handle loads = py::object(py::module_::import("json").attr("loads")).release();
            return loads(py::bytes(msg.payload));
          }, "The payload parsed as JSON (json.loads).")
      .def("__repr__", [](const sea::Message& msg) {
            return "<seastreamer.Message " + msg.stream + " shard " + std::to_string(msg.shard) + " seq " + std::to_string(msg.seq) + ">";
          });

  py::class_<sea::Producer>(m, "Producer", "Sends to one stream; owned by its Cluster.")
      .def("send", &send, py::arg("payload"), py::arg("key") = py::none(), py::arg("headers") = py::none(),
           "Queues one message and returns at once (it waits only when max_in_flight messages are unacknowledged).\n"
           "payload: bytes or str as they are, anything else (dict, list...) as JSON. key: str or bytes. headers: dict.")
      .def("flush", [](sea::Producer& p) {
            py::gil_scoped_release unlocked;
            p.flush();
          }, "Waits until every message sent so far is stored; raises seastreamer.Error on the first failure.")
      .def_property_readonly("stream", &sea::Producer::stream)
      .def_property_readonly("sent", &sea::Producer::sent)
      .def_property_readonly("acknowledged", &sea::Producer::acknowledged);

  py::class_<PyConsumer>(m, "Consumer", "Reads streams; iterate it, or call next().")
      .def("next", &PyConsumer::next, py::arg("timeout") = py::none(),
           "The next message; None when `timeout` seconds passed (None: wait for ever) or at the end (until_end).")
      .def("next_batch", &PyConsumer::next_batch, py::arg("max") = kBatch, py::arg("timeout") = py::none(),
           "Up to `max` messages; an empty list on timeout or at the end.")
      .def("__iter__", [](PyConsumer& c) -> PyConsumer& { return c; })
      .def("__next__", &PyConsumer::iter_next)
      .def("seek", &PyConsumer::seek, py::arg("time"),
           "Every shard from the first message at or after `time`: epoch ms (int), epoch seconds (float), datetime, or a string as --from time: takes.")
      .def("assign", &PyConsumer::assign, py::arg("shard"), py::arg("seq"), "One shard from `seq` on.")
      .def("ack", [](PyConsumer& c, const sea::Message& msg) { c.consumer().ack(msg); }, py::arg("message"),
           "With auto_ack=False: marks this message (and the earlier ones of its shard) as handled.")
      .def("ack_batch", [](PyConsumer& c, const py::list& batch, std::size_t count) {
            // Acks are cumulative per shard: the last message of each shard stands for the rest.
            std::vector<const sea::Message*> last;
            for (std::size_t i = 0; i < std::min(count, batch.size()); ++i) {
              const sea::Message& m = batch[i].cast<const sea::Message&>();
              bool seen = false;
              for (const sea::Message*& l : last)
                if (l->shard == m.shard && l->stream == m.stream) {
                  l = &m;
                  seen = true;
                  break;
                }
              if (!seen) last.push_back(&m);
            }
            for (const sea::Message* m : last) c.consumer().ack(*m);
          }, py::arg("batch"), py::arg("count"), "Acks batch[:count] (each shard's last message: acks are cumulative).")
      .def("commit", &PyConsumer::commit, "Acknowledges what was handed out (with auto_ack) and commits now.")
      .def_property_readonly("shards", [](PyConsumer& c) { return c.consumer().shards(); })
      .def_property_readonly("at_end", &PyConsumer::at_end, "Nothing buffered and every shard read to its end.");

  py::class_<sea::ProcessorRegistration>(m, "Registration", "A processor registered in the cluster's sea.processors stream.")
      .def("count", &sea::ProcessorRegistration::count, py::arg("fed"), py::arg("produced"))
      .def("close", [](sea::ProcessorRegistration& r) {
            sea::ProcessorRegistration gone = std::move(r);  // its destructor writes "stopped"
          });

  py::class_<sea::Cluster>(m, "Cluster", "A connection to a backend (kafka://, redis://, file://, stdio://).")
      .def(py::init([](const std::string& uri) { return std::make_unique<sea::Cluster>(uri); }), py::arg("uri") = "")
      .def("producer", [](sea::Cluster& c, const std::string& stream, const std::string& delivery) -> sea::Producer& {
            sea::ProducerOptions o;
            sea::Result<sea::Delivery> d = sea::parse_delivery(delivery);
            if (!d) throw d.error();
            return c.producer(stream, o.delivery(*d));
          }, py::arg("stream"), py::arg("delivery") = "at-least-once", py::return_value_policy::reference_internal)
      .def("consumer", [](sea::Cluster& c, std::vector<std::string> streams, std::optional<std::string> group,
                          const py::object& start, bool until_end, bool auto_ack,
                          const std::map<std::string, std::string>& properties) {
            sea::ConsumerOptions o;
            o.from(start_of(start)).until_end(until_end).auto_ack(false);
            if (group) o.group(*group);
            for (const auto& [k, v] : properties) o.property(k, v);
            return PyConsumer(c.consumer(streams, o), auto_ack, until_end);
          }, py::arg("streams"), py::arg("group") = py::none(), py::arg("start") = "earliest",
          py::arg("until_end") = false, py::arg("auto_ack") = true,
          py::arg("properties") = std::map<std::string, std::string>(), py::keep_alive<0, 1>())
      .def("register_processor", [](sea::Cluster& c, const std::string& name, const std::string& exec,
                                    const std::string& input, const std::string& output, const std::string& group) {
            sea::ProcessorInfo info;
            info.name = name;
            info.exec = exec;
            info.input = input;
            info.output = output;
            info.group = group;
            return c.register_processor(info);
          }, py::arg("name"), py::arg("exec"), py::arg("input"), py::arg("output"), py::arg("group"), py::keep_alive<0, 1>())
      .def_property_readonly("uri", &sea::Cluster::uri);

  // The processor's inner loop (_processor.py), here so that a message costs one call of `fn`
  // and one send, not a round of Python bytecode around them.
  m.def("feed", [](const py::function& fn, const py::list& batch, std::size_t from, sea::Producer& out) {
        std::size_t produced = 0;
        for (std::size_t i = from; i < batch.size(); ++i) {
          const py::handle item = batch[i];
          py::object result;
          try {
            result = fn(item);
          } catch (py::error_already_set& e) {
            if (!e.matches(PyExc_Exception)) throw;  // KeyboardInterrupt, SystemExit
            return py::make_tuple(i, produced, e.value());
          }
          if (result.is_none()) continue;
          const sea::Message& in = item.cast<const sea::Message&>();
          const py::object key = in.key ? py::object(decoded(*in.key)) : py::object(py::none());
          if (py::isinstance<py::list>(result)) {
            for (const py::handle output : result) {
              if (output.is_none()) continue;
              send(out, output, key, py::none());
              ++produced;
            }
          } else {
            send(out, result, key, py::none());
            ++produced;
          }
        }
        return py::make_tuple(batch.size(), produced, py::none());
      }, py::arg("fn"), py::arg("batch"), py::arg("start"), py::arg("out"),
      "Feeds batch[start:] to fn and sends its outputs (with the input's key): (index where it stopped, outputs sent,\n"
      "the exception fn raised there, or None when it fed them all).");

  m.def("parse_address", [](const std::string& text) {
        sea::Result<sea::StreamAddress> a = sea::parse_stream_address(text);
        if (!a) throw a.error();
        std::vector<std::string> keys;
        for (const sea::StreamKey& k : a->streams) keys.push_back(k.str());
        return py::make_tuple(a->cluster.original, keys);
      }, py::arg("address"), "Splits URI/key[,key...] into (cluster URI, [keys]); raises Error on a bad address.");
}
