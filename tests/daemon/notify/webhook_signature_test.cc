#include "daemon/notify/webhook_signature.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigie::daemon {
namespace {

// The published Standard Webhooks test vector (the scheme's specification and every reference library).
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kBody = "{\"test\": 2432232314}";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::vector<WebhookSecret> secrets(std::initializer_list<std::string_view> texts) {
  std::vector<WebhookSecret> out;
  for (auto t : texts)
    out.push_back(parse_webhook_secret(t).value());
  return out;
}

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  const auto s = secrets({kSecret});
  EXPECT_EQ(sign_webhook(kMsgId, kTimestamp, kBody, s), kSignature);
  EXPECT_TRUE(verify_webhook(kMsgId, "1614265330", kBody, kSignature, s, kTimestamp));
}

TEST(WebhookSignature, SignsOncePerSecretForRotation) {
  const std::string other = "whsec_" + base64_encode(std::string(32, 'k'));
  const auto both = secrets({kSecret, other});
  const std::string header = sign_webhook(kMsgId, kTimestamp, kBody, both);
  const auto space = header.find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(header.substr(0, space), kSignature);
  EXPECT_EQ(header.substr(space + 1, 3), "v1,");
  // A receiver that knows only the new secret accepts it; one that knows neither does not.
  EXPECT_TRUE(verify_webhook(kMsgId, "1614265330", kBody, header, secrets({other}), kTimestamp));
  const auto stranger = secrets({"whsec_" + base64_encode(std::string(24, 'x'))});
  EXPECT_EQ(verify_webhook(kMsgId, "1614265330", kBody, header, stranger, kTimestamp).error().message,
            "no matching signature");
}

TEST(WebhookSignature, VerifyRejectsTamperingAndStaleTimestamps) {
  const auto s = secrets({kSecret});
  EXPECT_FALSE(verify_webhook(kMsgId, "1614265330", "{\"test\": 2432232315}", kSignature, s, kTimestamp));
  EXPECT_FALSE(verify_webhook("msg_other", "1614265330", kBody, kSignature, s, kTimestamp));
  EXPECT_FALSE(verify_webhook(kMsgId, "1614265330", kBody, "v1,bm9wZQ==", s, kTimestamp));
  EXPECT_FALSE(verify_webhook(kMsgId, "1614265330", kBody, "", s, kTimestamp));
  // Another scheme's entry first does not hide ours.
  EXPECT_TRUE(
      verify_webhook(kMsgId, "1614265330", kBody, "v1a,abc " + std::string(kSignature), s, kTimestamp));
  EXPECT_EQ(verify_webhook(kMsgId, "1614265330", kBody, kSignature, s, kTimestamp + 301).error().message,
            "webhook-timestamp too old");
  EXPECT_EQ(verify_webhook(kMsgId, "1614265330", kBody, kSignature, s, kTimestamp - 301).error().message,
            "webhook-timestamp too far in the future");
  EXPECT_FALSE(verify_webhook(kMsgId, "16142x", kBody, kSignature, s, kTimestamp));
}

TEST(WebhookSignature, ParseSecretSaysWhatIsWrong) {
  EXPECT_EQ(parse_webhook_secret(kSecret)->key.size(), 24u);
  EXPECT_NE(
      parse_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").error().message.find("expected 'whsec_'"),
      std::string::npos);
  const auto bad = parse_webhook_secret("whsec_MfKQ9r8G!YqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not base64"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("MfKQ"), std::string::npos);  // never echoes the secret
  EXPECT_NE(parse_webhook_secret("whsec_c2hvcnQ=").error().message.find("5 bytes"), std::string::npos);
  EXPECT_FALSE(parse_webhook_secret("whsec_"));
}

TEST(WebhookSignature, Base64RoundTripsWithOrWithoutPadding) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    const std::string e = base64_encode(s);
    EXPECT_EQ(base64_decode(e).value(), s) << e;
    std::string unpadded = e;
    while (!unpadded.empty() && unpadded.back() == '=')
      unpadded.pop_back();
    EXPECT_EQ(base64_decode(unpadded).value(), s) << unpadded;
  }
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(base64_decode("a"));
  EXPECT_FALSE(base64_decode("ab=c"));
}

}  // namespace
}  // namespace vigie::daemon
