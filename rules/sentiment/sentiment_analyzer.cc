#include "rules/sentiment/sentiment_analyzer.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "rules/sentiment/sentiment_tokenizer.h"

namespace vigie::rules {
namespace {

// VADER's empirically derived constants (Hutto & Gilbert 2014).
constexpr float kCapsIncrement = 0.733f;  // a valence word in capitals among lower-case words
constexpr float kNegationScalar = -0.74f;
constexpr float kNeverSoEmphasis = 1.25f;                  // "never so good", "so/this" right before the word
constexpr float kBoosterDamping[3] = {1.0f, 0.95f, 0.9f};  // a booster two or three tokens away counts less
constexpr float kBeforeContrast = 0.5f;
constexpr float kAfterContrast = 1.5f;
constexpr float kExclamationIncrement = 0.292f;
constexpr int kMaxExclamations = 4;
constexpr float kQuestionIncrement = 0.18f;
constexpr float kManyQuestions = 0.96f;
constexpr float kElongationIncrement = 0.293f;  // French "géniaaal", "nuuul": a booster's worth of emphasis
constexpr float kAlpha = 15.0f;                 // normalization: approximates the largest expected sum
constexpr std::size_t kMaxPhraseTokens = 4;

// Per-thread buffers reused across posts, so scoring allocates nothing once they have grown.
struct Scratch {
  TokenizedText text;
  std::vector<float> valence;
  std::vector<std::uint8_t> role;
  std::string key;
};

enum Role : std::uint8_t {
  kNone = 0,
  kIsValence = 1,  // scored as a valence word
  kIsBooster = 2,  // modifies the next valence words
  kConsumed = 4,   // a French negator already spent on the verb before it
};

std::uint32_t flags_of(const SentimentToken& t) {
  return t.entry ? t.entry->flags : 0;
}

constexpr std::uint32_t kNegation =
    lex::kNegator | lex::kPostNegator | lex::kNeParticle | lex::kNegatorAfterNe | lex::kNo;

// Replaces multi-word phrases ("kind of", "pas terrible", "the shit") by their entry on their last token; the
// other tokens of the phrase become neutral. Longest phrase first; a phrase never spans clause punctuation.
void apply_phrases(const SentimentLanguage& lang, TokenizedText& tt, std::string& key) {
  auto& tokens = tt.tokens;
  const std::size_t n = tokens.size();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (!(flags_of(tokens[i]) & lex::kPhraseHead) || !(flags_of(tokens[i + 1]) & lex::kPhraseNext)) continue;
    // Build the longest candidate once, then try it and its prefixes, longest first.
    std::size_t key_len[kMaxPhraseTokens + 1];
    key.assign(tt.token_text(tokens[i]));
    std::size_t len = 1;
    while (len < kMaxPhraseTokens && i + len < n && !tokens[i + len - 1].clause_end &&
           (flags_of(tokens[i + len]) & lex::kPhraseNext)) {
      key.push_back(' ');
      key.append(tt.token_text(tokens[i + len]));
      ++len;
      key_len[len] = key.size();
    }
    for (; len >= 2; --len) {
      if (const LexiconEntry* e = lang.phrases.find(std::string_view(key).substr(0, key_len[len]))) {
        bool negation_inside = false;
        for (std::size_t k = 0; k + 1 < len; ++k) {
          negation_inside |= (flags_of(tokens[i + k]) & kNegation) != 0;
          tokens[i + k].entry = nullptr;
          tokens[i + k].in_phrase = true;
        }
        tokens[i + len - 1].entry = e;
        tokens[i + len - 1].self_negated = negation_inside;
        i += len - 1;
        break;
      }
    }
  }
}

// VADER's English negation test for the token `k` places before the valence word at `i` (k = 1..3), with its
// exceptions: "never so/this" emphasises and "without doubt" does not negate.
float english_negation(const std::vector<SentimentToken>& t, std::size_t i, std::size_t k, float v) {
  auto has = [&](std::size_t j, std::uint32_t f) { return (flags_of(t[j]) & f) != 0; };
  if (k == 1) return has(i - 1, lex::kNegator) ? v * kNegationScalar : v;
  if (k == 2) {
    if (has(i - 2, lex::kNever) && has(i - 1, lex::kSoOrThis)) return v * kNeverSoEmphasis;
    if (has(i - 2, lex::kWithout) && has(i - 1, lex::kDoubt)) return v;
    return has(i - 2, lex::kNegator) ? v * kNegationScalar : v;
  }
  if ((has(i - 3, lex::kNever) && has(i - 2, lex::kSoOrThis)) || has(i - 1, lex::kSoOrThis)) {
    return v * kNeverSoEmphasis;
  }
  if (has(i - 3, lex::kWithout) && (has(i - 2, lex::kDoubt) || has(i - 1, lex::kDoubt))) return v;
  return has(i - 3, lex::kNegator) ? v * kNegationScalar : v;
}

// French: is the token at `j` a negation word here? "plus"/"personne" negate only after "ne"/"n'".
bool french_negator(const std::vector<SentimentToken>& t, const std::vector<std::uint8_t>& role,
                    std::size_t j) {
  if (role[j] & kConsumed) return false;
  const std::uint32_t f = flags_of(t[j]);
  if (f & (lex::kNegator | lex::kPostNegator | lex::kNeParticle)) return true;
  if (!(f & lex::kNegatorAfterNe)) return false;
  for (std::size_t k = 1; k <= 3 && k <= j; ++k) {
    if (t[j - k].clause_end) break;
    if (flags_of(t[j - k]) & lex::kNeParticle) return true;
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const SentimentAnalyzer>> SentimentAnalyzer::create(const SentimentOptions& options) {
  if (!(options.negative_threshold <= options.positive_threshold)) {
    return error("sentiment: negative_threshold must not exceed positive_threshold");
  }
  auto en = load_english_sentiment(options.extra);
  if (!en) return en.error();
  auto fr = load_french_sentiment(options.extra);
  if (!fr) return fr.error();
  return std::shared_ptr<const SentimentAnalyzer>(
      new SentimentAnalyzer(options, std::move(*en), std::move(*fr)));
}

const SentimentLanguage* SentimentAnalyzer::language(std::string_view lang) const {
  if (lang == "en") return &en_;
  if (lang == "fr") return &fr_;
  return nullptr;
}

Sentiment SentimentAnalyzer::score(std::string_view text, std::string_view lang) const {
  const SentimentLanguage* resources = language(lang);
  if (!resources) return Sentiment{};
  return score_with(text, *resources);
}

Sentiment SentimentAnalyzer::score_undetermined(std::string_view text,
                                                std::span<const std::string_view> preference) const {
  int explained_en = 0;
  int explained_fr = 0;
  Sentiment en = score_with(text, en_, &explained_en);
  Sentiment fr = score_with(text, fr_, &explained_fr);
  bool french = explained_fr > explained_en;
  if (explained_fr == explained_en) {
    const auto first = std::find_if(preference.begin(), preference.end(),
                                    [](std::string_view l) { return l == "en" || l == "fr"; });
    french = first != preference.end() && *first == "fr";
  }
  return french ? fr : en;
}

Sentiment SentimentAnalyzer::score_with(std::string_view text, const SentimentLanguage& lang,
                                        int* explained) const {
  thread_local Scratch scratch;
  TokenizedText& tt = scratch.text;
  tokenize(text, lang, tt);
  apply_phrases(lang, tt, scratch.key);

  const std::vector<SentimentToken>& t = tt.tokens;
  const std::size_t n = t.size();
  std::vector<float>& s = scratch.valence;
  std::vector<std::uint8_t>& role = scratch.role;
  s.assign(n, 0.0f);
  role.assign(n, kNone);

  // A word that is both a booster and a valence word ("super", "grave") boosts when a valence word follows
  // ("super content") and otherwise carries its own valence ("c'est super").
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t f = flags_of(t[i]);
    if (f & lex::kBooster) {
      const bool before_valence = i + 1 < n && (flags_of(t[i + 1]) & (lex::kValence | lex::kBooster));
      role[i] = (f & lex::kValence) && !before_valence ? kIsValence : kIsBooster;
    } else if (f & lex::kVow) {
      // "plus jamais satisfait" negates; "plus jamais je commande chez eux" is itself negative.
      bool negates = false;
      for (std::size_t k = 1; k <= 3 && i + k < n && !t[i + k - 1].clause_end; ++k) {
        negates |= (flags_of(t[i + k]) & lex::kValence) != 0;
      }
      role[i] = negates ? kNone : kIsValence;
    } else if (f & lex::kValence) {
      role[i] = kIsValence;
    }
  }
  // Capitals emphasise only when the post is not written entirely in capitals.
  const bool caps_differ = tt.upper_tokens > 0 && static_cast<std::size_t>(tt.upper_tokens) < n;
  const bool english = lang.vader_english_rules;
  const bool french = lang.french_negation;

  for (std::size_t i = 0; i < n; ++i) {
    if (!(role[i] & kIsValence) || (role[i] & kConsumed)) continue;  // a vow spent on the verb before it
    const LexiconEntry& e = *t[i].entry;
    // "Bon, je vais me coucher": an opener alone in the first clause of a sentence judges nothing.
    if ((e.flags & lex::kOpener) && t[i].clause_end && (i == 0 || t[i - 1].clause_end)) continue;
    float v = e.valence;
    const bool flips = !(e.flags & lex::kNoFlip);  // emoji: the writer's mood, not a negated word
    if (english && flips) {
      // "no" before a valence word negates it instead of counting as a negative word itself.
      if ((e.flags & lex::kNo) && i + 1 < n && (flags_of(t[i + 1]) & lex::kValence)) v = 0;
      if ((i > 0 && (flags_of(t[i - 1]) & lex::kNo)) || (i > 1 && (flags_of(t[i - 2]) & lex::kNo)) ||
          (i > 2 && (flags_of(t[i - 3]) & lex::kNo) && (flags_of(t[i - 1]) & lex::kOrNor))) {
        v = e.valence * kNegationScalar;
      }
    }
    if (t[i].upper && caps_differ && v != 0) v += v > 0 ? kCapsIncrement : -kCapsIncrement;
    // Elongation is written emphasis, like capitals (French only: English keeps VADER's behaviour).
    if (french && t[i].elongated && v != 0) v += v > 0 ? kElongationIncrement : -kElongationIncrement;

    bool negated = false;
    bool never_so = false;  // "jamais aussi bon", "jamais été si content": emphasis, not negation
    for (std::size_t k = 1; k <= 3 && k <= i; ++k) {
      const std::size_t j = i - k;
      if (french && t[j].clause_end) break;  // negation and boosters stay inside their clause
      if (role[j] & kIsValence) continue;    // VADER skips valence words when looking for modifiers
      if (role[j] & kIsBooster) {
        float inc = t[j].entry->scalar;
        if (v < 0) inc = -inc;
        if (t[j].upper && caps_differ) inc += v > 0 ? kCapsIncrement : -kCapsIncrement;
        v += inc * kBoosterDamping[k - 1];
      }
      if (english) {
        if ((t[j].entry || k == 3) && !t[i].self_negated && flips) v = english_negation(t, i, k, v);
      } else if (french && french_negator(t, role, j)) {
        negated = true;
        if (flags_of(t[j]) & lex::kNever) {
          for (std::size_t m = j + 1; m < i; ++m)
            never_so |= (flags_of(t[m]) & lex::kSoOrThis) != 0;
        }
      }
    }
    if (french && !t[i].clause_end && i + 1 < n) {
      // Negation after the verb: "j'aime pas", "j'aime vraiment pas", "je l'aime plus".
      std::size_t j = i + 1;
      // A filler, or the first word of a phrase ("toujours" of "toujours pas"), may come first.
      if ((t[j].in_phrase || (flags_of(t[j]) & lex::kFiller)) && !t[j].clause_end && j + 1 < n) ++j;
      if ((flags_of(t[j]) & lex::kPostNegator) && !(role[j] & kConsumed)) {
        negated = true;
        role[j] |= kConsumed;  // "j'aime pas, c'est nul": the "pas" is spent on "aime"
      }
    }
    if (never_so) {
      v *= kNeverSoEmphasis;
    } else if (negated && !(e.flags & (lex::kNoFlip | lex::kVow)) && !t[i].self_negated) {
      v *= kNegationScalar;  // a vow is not flipped: the "ne" of "ne marche toujours pas" belongs to it
    }

    if (english && flips && i > 0) {
      // "least" negates ("the least funny"), except in "at least" and "very least".
      const std::uint32_t prev = flags_of(t[i - 1]);
      if ((prev & lex::kLeast) && !(prev & lex::kValence)) {
        if (i == 1 || !(flags_of(t[i - 2]) & lex::kAtOrVery)) v *= kNegationScalar;
      }
    }
    s[i] = v;
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (!(flags_of(t[i]) & lex::kContrast)) continue;
    for (std::size_t j = 0; j < n; ++j) {
      if (j < i) s[j] *= kBeforeContrast;
      if (j > i) s[j] *= kAfterContrast;
    }
    break;
  }

  Sentiment out;
  out.scored = true;
  // A literal, not lang.code: the Sentiment outlives this analyzer when a rule reload replaces it.
  out.lexicon = lang.code == "fr" ? std::string_view("fr") : std::string_view("en");
  if (explained) {
    // The writer's own words and emoticons: emoji read the same in both languages, and the words of an
    // emoji's description are the lexicon's, not the text's.
    *explained = static_cast<int>(
        std::count_if(t.begin(), t.end(), [](const SentimentToken& x) { return x.entry && !x.emoji; }));
  }
  if (n == 0) return out;
  float sum = 0;
  float pos_sum = 0;
  float neg_sum = 0;
  int neutral = 0;
  for (float x : s) {
    sum += x;
    // +1/-1 compensate for neutral words counting 1 each.
    if (x > 0) {
      pos_sum += x + 1;
    } else if (x < 0) {
      neg_sum += x - 1;
    } else {
      ++neutral;
    }
  }
  float emphasis = static_cast<float>(std::min(tt.exclamations, kMaxExclamations)) * kExclamationIncrement;
  if (tt.questions > 1) {
    emphasis += tt.questions <= 3 ? static_cast<float>(tt.questions) * kQuestionIncrement : kManyQuestions;
  }
  if (sum > 0) {
    sum += emphasis;
  } else if (sum < 0) {
    sum -= emphasis;
  }
  out.compound = std::clamp(sum / std::sqrt(sum * sum + kAlpha), -1.0f, 1.0f);
  if (pos_sum > -neg_sum) {
    pos_sum += emphasis;
  } else if (pos_sum < -neg_sum) {
    neg_sum -= emphasis;
  }
  const float total = pos_sum - neg_sum + static_cast<float>(neutral);
  out.pos = pos_sum / total;
  out.neg = -neg_sum / total;
  out.neu = static_cast<float>(neutral) / total;
  if (out.compound >= options_.positive_threshold) {
    out.label = Label::positive;
  } else if (out.compound <= options_.negative_threshold) {
    out.label = Label::negative;
  } else {
    out.label = Label::neutral;
  }
  return out;
}

}  // namespace vigie::rules
