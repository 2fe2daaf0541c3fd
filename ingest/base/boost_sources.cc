// The compiled parts of Boost.JSON and Boost.URL. Debian's boost1.81 ships these two libraries as headers
// only, so they are built once here and every module links them through vigie_ingest.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
