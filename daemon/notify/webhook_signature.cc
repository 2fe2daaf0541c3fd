#include "daemon/notify/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <vector>

namespace vigie::daemon {
namespace {

constexpr std::string_view kPrefix = "whsec_";

std::string hmac_sha256(const std::string& key, std::string_view msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string signed_content(std::string_view msg_id, std::string_view timestamp, std::string_view body) {
  std::string s;
  s.reserve(msg_id.size() + timestamp.size() + body.size() + 2);
  s.append(msg_id).append(".").append(timestamp).append(".").append(body);
  return s;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string in(text);
  // EVP_DecodeBlock wants whole quanta; the scheme's keys are sometimes written without padding.
  if (in.size() % 4 == 1) return error("invalid base64 length");
  while (in.size() % 4 != 0)
    in.push_back('=');
  std::size_t pad = 0;
  for (std::size_t i = in.size(); i > 0 && in[i - 1] == '='; --i)
    ++pad;
  if (pad > 2) return error("invalid base64 padding");
  for (std::size_t i = 0; i < in.size() - pad; ++i) {
    const char c = in[i];
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return error("invalid base64 character at offset " + std::to_string(i));
  }
  std::string out(in.size() / 4 * 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return error("invalid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(static_cast<std::size_t>(n) - pad);
  // in_place: Error is constructible from a string too.
  return Result<std::string>(boost::system::in_place_value, std::move(out));
}

Result<WebhookSecret> parse_webhook_secret(std::string_view text) {
  if (!text.starts_with(kPrefix))
    return error(
        "webhook secret: expected 'whsec_' followed by a base64 key (as Standard Webhooks prints it)");
  auto key = base64_decode(text.substr(kPrefix.size()));
  if (!key) return error("webhook secret: the part after 'whsec_' is not base64: " + key.error().message);
  if (key->size() < 24 || key->size() > 64)
    return error("webhook secret: the key is " + std::to_string(key->size()) +
                 " bytes; Standard Webhooks keys are 24 to 64 bytes (e.g. `openssl rand -base64 32`)");
  return WebhookSecret{std::move(*key)};
}

std::string sign_webhook(std::string_view msg_id, std::int64_t timestamp, std::string_view body,
                         std::span<const WebhookSecret> secrets) {
  const std::string content = signed_content(msg_id, std::to_string(timestamp), body);
  std::string header;
  for (const auto& s : secrets) {
    if (!header.empty()) header.push_back(' ');
    header += "v1,";
    header += base64_encode(hmac_sha256(s.key, content));
  }
  return header;
}

Result<void> verify_webhook(std::string_view msg_id, std::string_view timestamp, std::string_view body,
                            std::string_view signature_header, std::span<const WebhookSecret> secrets,
                            std::int64_t now, std::int64_t tolerance_seconds) {
  std::int64_t ts = 0;
  const auto r = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (r.ec != std::errc() || r.ptr != timestamp.data() + timestamp.size())
    return error("webhook-timestamp is not a number of seconds");
  if (ts < now - tolerance_seconds) return error("webhook-timestamp too old");
  if (ts > now + tolerance_seconds) return error("webhook-timestamp too far in the future");

  const std::string content = signed_content(msg_id, timestamp, body);
  std::vector<std::string> expected;
  for (const auto& s : secrets)
    expected.push_back(hmac_sha256(s.key, content));

  std::string_view rest = signature_header;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    std::string_view item = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (!item.starts_with("v1,")) continue;  // other schemes (v1a: asymmetric) are not ours
    auto sig = base64_decode(item.substr(3));
    if (!sig) continue;
    for (const auto& e : expected) {
      if (sig->size() == e.size() && CRYPTO_memcmp(sig->data(), e.data(), e.size()) == 0) return ok();
    }
  }
  return error("no matching signature");
}

}  // namespace vigie::daemon
