// SeaStreamer's C++ library, the one include: #include <seastreamer/seastreamer.hpp>
// Build with: g++ -std=c++20 prog.cpp $(pkg-config --cflags --libs seastreamer)
//
//   sea::Cluster cluster("file:///tmp/demo");            // or redis://h:p, kafka://h:p
//   sea::Producer& p = cluster.producer("news");
//   p.send(R"({"hello":1})");                            // non-blocking; returns a ReceiptFuture
//   p.flush();                                           // waits until everything is stored
//   sea::Consumer c = cluster.consumer({"news"}, sea::ConsumerOptions().from(sea::Start::earliest()));
//   std::optional<sea::Message> m = c.next(std::chrono::seconds(5));  // nullopt on timeout
//   std::cout << m->payload << "\n";
//
// The parts, each with its own header under <seastreamer/...>:
//   cluster.hpp   sea::Cluster: the connection and the loop it owns
//   producer.hpp  sea::Producer, sea::ReceiptFuture
//   consumer.hpp  sea::Consumer: recv, next, next(timeout), seek, assign, range-for, on_message
//   admin.hpp     sea::Admin: list, describe, create, remove, trim, set_retention
//   registration.hpp sea::ProcessorRegistration: a processor shown by `top` and `graph`
//   options.hpp   sea::Start, sea::ProducerOptions, sea::ConsumerOptions
//   core/types.hpp sea::Message (stream, shard, seq, ts, key, headers, payload), sea::Receipt
//   core/error.hpp sea::Error (an exception: code, message, backend_code), sea::Result
//
// Errors: the façade throws sea::Error wherever a call returns a value or does something
// (each header says so); ReceiptFuture::result() returns a Result for the caller who wants one.
//
// The loop-driven interfaces the façade wraps are there too, for programs built around the one
// libuv loop: sea::connect (<seastreamer/backends/registry.hpp>), sea::core::Streamer,
// sea::core::Producer, sea::core::Consumer, sea::core::Admin and their option structs
// (<seastreamer/core/streamer.hpp>, <seastreamer/core/options.hpp>). Inside namespace sea those
// are reached unqualified too, through a using-directive, so with `using namespace sea;` an
// unqualified `Producer` or `ConsumerOptions` is ambiguous: write sea::Producer (the façade's)
// or sea::core::Producer.
#pragma once

#include "api/admin.hpp"
#include "api/cluster.hpp"
#include "api/consumer.hpp"
#include "api/options.hpp"
#include "api/producer.hpp"
#include "api/registration.hpp"
#include "core/error.hpp"
#include "core/types.hpp"
