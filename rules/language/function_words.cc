#include "rules/language/function_words.h"

#include <array>
#include <string>
#include <vector>

namespace vigie::rules::lang_words {
namespace {

struct List {
  std::uint16_t bits;
  std::string_view words;  // space-separated
};

// French: function words and very frequent words that are nearly unambiguous against English, plus the
// frequent French-only words of posts about brands, where a post may carry no function word. Accents are
// kept ("à" is French, "a" is no evidence).
constexpr std::string_view kFrenchWords =
    "le les des du et est je tu il elle nous vous ils elles pas une ce cette ces ça mais avec pour dans sur "
    "très trop qui mon ma mes ton ta tes sa ses leur leurs au aux ne suis sont été être avoir avons avez "
    "ont fait faire tout tous toute plus moi toi lui eux quoi oui merci bonjour bonsoir salut vraiment "
    "jamais rien où à déjà aussi alors donc quand comme chez votre vos notre nos sans encore toujours "
    "peut veux était avait aujourd'hui pourquoi comment parce depuis après avant même mdr ptdr bof nul nulle "
    "déçu déçue beaucoup ici là voilà cest jai jsuis chui vachement client clients colis commande "
    "livraison remboursement arnaque panne perdu génial rapide naze relou chiant chier galère honte merde "
    "putain nickel magnifique magasin appli retard attente tres deja etait jsp tkt stp svp bcp slt mtn jpp "
    "wesh ptn";

constexpr std::string_view kEnglishWords =
    "the and is are was were i you he she it we they my your this that with for not have has had be been do "
    "does did to of just what why how who when where will would should could can get got know think want "
    "need people thanks thank please today love like good great bad really very never nothing always "
    "because about from their there them then than these those which still even only much some any every "
    "our his her him all one new now here yes worst best ever after at by an or if so its into out up "
    "again im dont cant didnt doesnt wont isnt u ur customer awful shipping refund yeah right "
    "delivery order package arrived early late fast slow awesome amazing sucks hate thing stuff guys wait "
    "waiting tbh idk smh gonna wanna gotta pls plz";

// Other languages: their commonest function words minus those that are also ordinary French or English
// words ("con", "men", "no", "we", "ha"...), which would otherwise send plain posts to CLD2.
constexpr List kOtherLists[] = {
    {kGerman,
     "der die das und ist nicht ich sie wir ihr mit für auf ein eine einen einem dem den zu von bei nach "
     "aus auch noch schon aber oder wenn wie warum kein keine sehr mein meine dein deine wieder immer "
     "heute jetzt hier danke bitte schlecht nur habe haben sind wird werden kann ja nein doch echt alles "
     "nichts wer weil dass über können mir mich dir dich uns euch gibt geht diese dieser bist"},
    {kSpanish,
     "el los las por una muy pero para como está están del al lo mi su más ya yo también porque cuando "
     "donde hay todo nada gracias hola bueno malo mejor peor siempre nunca hoy ahora aquí estoy tengo esto "
     "esta este eso sin sobre hasta desde muchas mucho qué cómo pues vale servicio"},
    {kItalian,
     "è di che per sono molto questo questa anche perché della delle degli dei nel nella gli lo uno una ho "
     "hai abbiamo sei siamo grazie bene sempre oggi ancora già tutto niente cosa più così dove quando "
     "allora proprio ecco però voglio servizio mi ti ci fa mio mia tuo suo e era dai davvero da dopo dell' "
     "nell' all' dall' sull' un' dov' quell' c'è"},
    {kPortuguese,
     "não é uma com para muito você vocês isso esse essa está estão são por pra meu minha seu sua ele ela "
     "eles nós também porque quando onde tem ter foi ser bem obrigado obrigada olá oi hoje agora aqui "
     "nunca sempre nada tudo ainda já até sem da das na ao às pelo pela eu o e tô faz meia"},
    {kDutch,
     "het een niet ik dat voor zijn ook maar nog wel geen wat waarom heb hebben heeft wordt worden kan "
     "naar bij uit deze dit die jij jullie wij mijn jouw zo nu hier daar dank bedankt goed slecht erg echt "
     "altijd nooit vandaag weer niks niets veel nieuwe ons iets niemand"},
    {kScandinavian,
     "och att det som är inte jag med för på av den har om kan så vad varför hur mitt din vi bra dålig "
     "tack hej också bara mycket nu här där aldrig alltid idag igen ingen inget något og ikke jeg hva "
     "hvorfor hvordan dere dårlig takk tak hei også meget mye nå der aldri altid igjen noe noget jo vel "
     "skal vil hvad hvis ett fra mer hos verste sammen"},
    {kPolish,
     "nie jest się na w z że jak ale co tak ja ty po za od dla już bardzo jestem mam są był była tylko "
     "dziękuję dzięki cześć dobrze źle zawsze nigdy dzisiaj dziś znowu nic wszystko mój moja czy kiedy "
     "gdzie dlaczego który która jakiś nowe"},
    {kTurkish,
     "ve bir bu çok mi ile için ama gibi daha var yok sen biz siz onlar değil evet hayır teşekkürler "
     "teşekkür merhaba iyi kötü hep hiç bugün şimdi burada neden nasıl şey artık hala sadece yine tam hâlâ"},
    {kIndonesian,
     "yang di ini itu tidak saya aku kamu dengan untuk dari ke ada akan sudah belum juga tapi karena bisa "
     "mau sangat banget terima kasih apa kenapa gimana bagus jelek lagi sama udah gak nggak ga aja"},
};

// Open addressing over a power-of-two table: one probe for most words, no allocation per lookup.
class Table {
 public:
  Table() {
    add(kFrenchWords, kFrench);
    add(kEnglishWords, kEnglish);
    for (const List& l : kOtherLists)
      add(l.words, l.bits);
  }

  std::uint16_t find(std::string_view w) const {
    if (w.empty() || w.size() > kMaxWord) return 0;
    for (std::size_t i = hash(w) & kMask;; i = (i + 1) & kMask) {
      const Slot& s = slots_[i];
      if (s.length == 0) return 0;
      if (s.length == w.size() && std::string_view(&text_[s.offset], s.length) == w) return s.bits;
    }
  }

 private:
  static constexpr std::size_t kSlots = 4096;  // about a quarter full
  static constexpr std::size_t kMask = kSlots - 1;
  static constexpr std::size_t kMaxWord = 32;

  struct Slot {
    std::uint32_t offset = 0;
    std::uint16_t bits = 0;
    std::uint8_t length = 0;
  };

  static std::size_t hash(std::string_view w) {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
    for (char c : w)
      h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }

  void add(std::string_view words, std::uint16_t bits) {
    std::size_t pos = 0;
    while (pos < words.size()) {
      std::size_t end = words.find(' ', pos);
      if (end == std::string_view::npos) end = words.size();
      const std::string_view w = words.substr(pos, end - pos);
      pos = end + 1;
      if (w.empty() || w.size() > kMaxWord) continue;
      for (std::size_t i = hash(w) & kMask;; i = (i + 1) & kMask) {
        Slot& s = slots_[i];
        if (s.length == 0) {
          s.offset = static_cast<std::uint32_t>(text_.size());
          s.length = static_cast<std::uint8_t>(w.size());
          s.bits = bits;
          text_.append(w);
          break;
        }
        if (std::string_view(&text_[s.offset], s.length) == w) {
          s.bits |= bits;
          break;
        }
      }
    }
  }

  std::array<Slot, kSlots> slots_{};
  std::string text_;
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

std::uint16_t languages_of(std::string_view word) {
  return table().find(word);
}

std::uint16_t bit_of_code(std::string_view iso) {
  struct Code {
    std::string_view iso;
    std::uint16_t bit;
  };
  static constexpr Code kCodes[] = {
      {"fr", kFrench},       {"en", kEnglish},      {"de", kGerman},       {"es", kSpanish},
      {"it", kItalian},      {"pt", kPortuguese},   {"nl", kDutch},        {"sv", kScandinavian},
      {"no", kScandinavian}, {"nb", kScandinavian}, {"nn", kScandinavian}, {"da", kScandinavian},
      {"pl", kPolish},       {"tr", kTurkish},      {"id", kIndonesian},   {"ms", kIndonesian},
  };
  for (const Code& c : kCodes)
    if (c.iso == iso) return c.bit;
  return 0;
}

}  // namespace vigie::rules::lang_words
