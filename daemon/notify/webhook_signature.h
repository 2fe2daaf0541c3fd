// Signatures of the Standard Webhooks scheme (standardwebhooks.com), which webhook notifiers send so that a
// receiver can check that a request comes from this Vigie and was not replayed:
//   webhook-id         the message's id, the same on every retry (receivers deduplicate on it)
//   webhook-timestamp  Unix seconds of this attempt
//   webhook-signature  "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>", one per secret,
//                      separated by spaces, so that a receiver accepts either key while secrets rotate.
// Secrets are written "whsec_<base64 key>", as the scheme's libraries print and read them.
//
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ingest/base/result.h"

namespace vigie::daemon {

// A decoded signing key. Never logged: its text form is the secret.
struct WebhookSecret {
  std::string key;  // raw bytes
};

// Reads "whsec_<base64>"; the key must decode to 24 to 64 bytes, as the scheme asks. Errors say what is wrong
// without repeating the secret.
Result<WebhookSecret> parse_webhook_secret(std::string_view text);

// The webhook-signature header value: "v1,<base64>" for each secret, in order, space separated.
std::string sign_webhook(std::string_view msg_id, std::int64_t timestamp, std::string_view body,
                         std::span<const WebhookSecret> secrets);

// What a receiver does: succeeds when the timestamp is within `tolerance_seconds` of `now` and one of the
// "v1," signatures of `signature_header` matches one of `secrets` (compared in constant time). Otherwise
// says why ("no matching signature", "timestamp too old", ...).
Result<void> verify_webhook(std::string_view msg_id, std::string_view timestamp, std::string_view body,
                            std::string_view signature_header, std::span<const WebhookSecret> secrets,
                            std::int64_t now, std::int64_t tolerance_seconds = 300);

// Standard base64 (with padding), as the scheme uses for keys and signatures.
std::string base64_encode(std::string_view bytes);
// Decodes standard base64, padding optional. Errors never echo the input (it may be a secret).
Result<std::string> base64_decode(std::string_view text);

}  // namespace vigie::daemon
