// The compiled parts of Boost.Asio (with its SSL layer) and Boost.Beast. The whole project is built with
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION (top-level CMakeLists.txt), so the
// non-template code of both (the reactor and scheduler, OpenSSL glue, HTTP field tables, the WebSocket
// handshake and permessage-deflate) is compiled once, here, instead of in every file that includes them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
