#include "ingest/feed/feed_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/text/text_encoding.h"

namespace vigie::ingest {
namespace {

const Micros kReceived = *parse_rfc3339("2026-11-22T16:00:00Z");

std::string read_feed(const std::string& name) {
  std::ifstream f(VIGIE_SOURCE_DIR "/tests/ingest/data/feeds/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << "missing test file " << name;
  return ss.str();
}

ParsedFeed parse_file(const std::string& name, std::string_view feed_url,
                      std::string_view content_type = "") {
  const std::string body = read_feed(name);
  auto r = parse_feed(body, FeedParseInput{content_type, feed_url, kReceived});
  EXPECT_TRUE(r) << name << ": " << r.error().message;
  return r ? *r : ParsedFeed{};
}

ParsedFeed parse_text(std::string_view body, std::string_view feed_url = "https://feeds.example/f.xml") {
  auto r = parse_feed(body, FeedParseInput{"", feed_url, kReceived});
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : ParsedFeed{};
}

std::string parse_error(std::string_view body, std::string_view content_type = "") {
  auto r = parse_feed(body, FeedParseInput{content_type, "https://feeds.example/f.xml", kReceived});
  return r ? "parsed" : r.error().message;
}

std::string created(const FeedItem& it) {
  return format_rfc3339(it.post.created_at);
}

TEST(FeedParser, WordPressRss2WithContentEncoded) {
  const ParsedFeed f = parse_file("wordpress.xml", "https://blog.acme.example/feed/");
  EXPECT_EQ(f.format, "rss");
  EXPECT_EQ(f.title, "Le Blog d'Acme");
  EXPECT_EQ(f.link, "https://blog.acme.example");
  EXPECT_FALSE(f.truncated);
  ASSERT_EQ(f.items.size(), 2U);

  const FeedItem& a = f.items[0];
  EXPECT_EQ(a.post.uid, "web:https://blog.acme.example/2026/11/22/panne-service-client/");
  EXPECT_EQ(a.post.platform, "web");
  EXPECT_EQ(a.post.kind, Kind::post);
  EXPECT_EQ(a.seen_key, "https://blog.acme.example/?p=1234");
  EXPECT_EQ(a.post.url, "https://blog.acme.example/2026/11/22/panne-service-client/");
  EXPECT_EQ(a.post.title, "Panne du service client : nos excuses");
  // content:encoded, not the description's excerpt; &nbsp; inside CDATA is a space.
  EXPECT_EQ(a.post.text,
            "Hier, notre service client a été indisponible pendant trois heures. Nous vous présentons nos "
            "excuses : l’incident est clos. Cause : une mise à jour Durée : 3 h L’article Panne du service "
            "client : nos excuses est apparu en premier sur Le Blog d'Acme.");
  EXPECT_EQ(a.post.author.name, "Ana Lima");
  EXPECT_EQ(a.post.author.handle, "");
  EXPECT_EQ(created(a), "2026-11-22T14:05:00Z");
  EXPECT_EQ(a.post.received_at, kReceived);
  EXPECT_EQ(a.post.lang_hint, "fr-FR");
  EXPECT_EQ(a.post.source, "");
  EXPECT_EQ(a.categories, (std::vector<std::string>{"Actualités", "Service client"}));
  EXPECT_EQ(a.views, -1);

  const FeedItem& b = f.items[1];
  EXPECT_EQ(b.post.uid, "web:https://blog.acme.example/2026/11/20/programme-fidelite/");
  EXPECT_EQ(b.post.title, "Acme & vous\u2009: le nouveau programme fidélité");
  EXPECT_EQ(
      b.post.text,
      "Gagnez des points à chaque achat… L’article Acme & vous\u2009: le nouveau programme fidélité est "
      "apparu en premier sur Le Blog d'Acme.");
  EXPECT_EQ(b.post.author.name, "Bruno");
  EXPECT_EQ(created(b), "2026-11-20T08:30:00Z");
}

TEST(FeedParser, YouTubeChannelFeed) {
  const ParsedFeed f = parse_file(
      "youtube.xml", "https://www.youtube.com/feeds/videos.xml?channel_id=UCz9qK3bN7xLw2VtPa8sYd4Q");
  EXPECT_EQ(f.format, "atom");
  EXPECT_EQ(f.title, "Acme Reviews");
  ASSERT_EQ(f.items.size(), 2U);

  const FeedItem& v = f.items[0];
  EXPECT_EQ(v.post.uid, "youtube:Xb3kT9mQ2wE");
  EXPECT_EQ(v.post.platform, "youtube");
  EXPECT_EQ(v.post.kind, Kind::post);
  EXPECT_EQ(v.post.url, "https://www.youtube.com/watch?v=Xb3kT9mQ2wE");
  EXPECT_EQ(v.post.title, "Acme X200 review: the battery problem nobody talks about");
  EXPECT_EQ(
      v.post.text,
      "After three weeks with the X200, the battery drains overnight. Chapters: 0:00 Intro 4:12 Battery & "
      "charging");
  EXPECT_EQ(v.post.author.handle, "UCz9qK3bN7xLw2VtPa8sYd4Q");
  EXPECT_EQ(v.post.author.name, "Acme Reviews");
  EXPECT_EQ(created(v), "2026-11-22T14:05:00Z");  // published, not updated
  EXPECT_EQ(v.views, 48213);
  EXPECT_EQ(v.seen_key, "yt:video:Xb3kT9mQ2wE");

  const FeedItem& s = f.items[1];  // a Short: the watch URL, not /shorts/
  EXPECT_EQ(s.post.uid, "youtube:pQ7_r-Z1aBc");
  EXPECT_EQ(s.post.url, "https://www.youtube.com/watch?v=pQ7_r-Z1aBc");
  EXPECT_EQ(s.post.text, "");
  EXPECT_EQ(s.views, 0);
  EXPECT_EQ(created(s), "2026-11-20T18:00:03Z");
}

TEST(FeedParser, RedditSearchFeed) {
  const ParsedFeed f = parse_file("reddit_search.rss", "https://www.reddit.com/search.rss?q=acme&sort=new");
  EXPECT_EQ(f.format, "atom");
  EXPECT_EQ(f.title, "reddit.com: search results - acme");
  ASSERT_EQ(f.items.size(), 2U);

  const FeedItem& a = f.items[0];
  EXPECT_EQ(a.post.uid, "reddit:t3_1h2k3lm");
  EXPECT_EQ(a.post.platform, "reddit");
  EXPECT_EQ(a.post.kind, Kind::post);
  EXPECT_EQ(a.seen_key, "t3_1h2k3lm");
  EXPECT_EQ(a.post.url,
            "https://www.reddit.com/r/france/comments/1h2k3lm/commande_acme_bloquee_depuis_10_jours/");
  EXPECT_EQ(a.post.author.handle, "jdoe_42");
  EXPECT_EQ(a.post.author.name, "");
  EXPECT_EQ(a.post.title, "Commande Acme bloquée depuis 10 jours");
  // Entity-escaped HTML decoded once by XML and once as HTML; the "submitted by" footer is gone.
  EXPECT_EQ(
      a.post.text,
      "Ma commande Acme est bloquée depuis 10 jours, le SAV ne répond pas. Quelqu'un a eu le même problème ? "
      "Édit : remboursé ce matin.");
  EXPECT_EQ(created(a), "2026-11-22T14:05:00Z");
  EXPECT_EQ(a.categories, std::vector<std::string>{"r/france"});
  EXPECT_EQ(a.post.root_uid, "");

  const FeedItem& link_post = f.items[1];
  EXPECT_EQ(link_post.post.uid, "reddit:t3_1h2j9zz");
  EXPECT_EQ(link_post.post.author.handle, "newsbot9000");
  EXPECT_EQ(link_post.post.title, "Acme recalls 200,000 X200 chargers over fire risk");
  EXPECT_EQ(link_post.post.text, "");
  EXPECT_EQ(created(link_post), "2026-11-22T13:58:21Z");
}

TEST(FeedParser, RedditCommentsFeed) {
  const ParsedFeed f =
      parse_file("reddit_comments.rss", "https://www.reddit.com/r/france/comments/1h2k3lm/.rss");
  ASSERT_EQ(f.items.size(), 1U);
  const Post& c = f.items[0].post;
  EXPECT_EQ(c.uid, "reddit:t1_m7xq2ab");
  EXPECT_EQ(c.kind, Kind::comment);
  EXPECT_EQ(c.root_uid, "reddit:t3_1h2k3lm");
  EXPECT_EQ(c.author.handle, "marie-c");
  EXPECT_EQ(c.title, "/u/marie-c on Commande Acme bloquée depuis 10 jours");
  EXPECT_EQ(c.text, "Pareil chez moi, trois semaines & aucune réponse.");
  EXPECT_EQ(format_rfc3339(c.created_at), "2026-11-22T15:47:09Z");  // no <published>: <updated>
}

TEST(FeedParser, GoogleAlertsUnwrapsRedirects) {
  const ParsedFeed f = parse_file(
      "google_alerts.xml", "https://www.google.com/alerts/feeds/04182637510926374851/07319465823118752066");
  EXPECT_EQ(f.title, "Google Alert - Acme");
  ASSERT_EQ(f.items.size(), 2U);

  const FeedItem& a = f.items[0];
  EXPECT_EQ(a.post.uid,
            "web:https://www.example-news.fr/economie/2026/11/22/acme-rappel-chargeurs_6201.html");
  EXPECT_EQ(a.post.platform, "web");
  EXPECT_EQ(a.post.url, "https://www.example-news.fr/economie/2026/11/22/acme-rappel-chargeurs_6201.html");
  EXPECT_EQ(a.post.title, "Acme rappelle 200 000 chargeurs X200");
  EXPECT_EQ(a.post.text,
            "Le fabricant Acme a annoncé le rappel de 200 000 chargeurs après plusieurs départs de feu ...");
  EXPECT_EQ(a.seen_key, "tag:google.com,2013:googlealerts/feed:14806212835476290147");
  EXPECT_EQ(a.post.author.name, "");
  EXPECT_EQ(created(a), "2026-11-22T14:05:00Z");

  const FeedItem& b = f.items[1];  // the wrapped URL was percent-encoded
  EXPECT_EQ(b.post.url, "https://tech.example.org/tests/acme-x200?page=2&ref=rss");
  EXPECT_EQ(b.post.uid, "web:https://tech.example.org/tests/acme-x200?page=2&ref=rss");
  EXPECT_EQ(b.post.title, "Test : le X200 d'Acme face à ses concurrents");
  EXPECT_EQ(b.post.text, "Le X200 d'Acme promet deux jours d'autonomie. Promesse tenue ?");
}

TEST(FeedParser, AtomBlogWithXhtmlRelativeLinksAndLanguages) {
  const ParsedFeed f = parse_file("atom_blog.xml", "https://engineering.acme.example/atom.xml");
  EXPECT_EQ(f.format, "atom");
  EXPECT_EQ(f.title, "Acme Engineering");
  EXPECT_EQ(f.link, "https://engineering.acme.example/");
  ASSERT_EQ(f.items.size(), 2U);

  const FeedItem& a = f.items[0];
  EXPECT_EQ(a.post.uid, "web:https://engineering.acme.example/blog/2026/11/postmortem-outage/");
  EXPECT_EQ(a.post.title, "Postmortem: the 22 November outage — what went wrong");
  EXPECT_EQ(a.post.text,
            "At 14:05 UTC our API started returning 503s. Root cause: a config push & a missing canary.");
  EXPECT_EQ(a.post.author.name, "Jane Doe");
  EXPECT_EQ(a.post.author.handle, "jane@acme.example");
  EXPECT_EQ(created(a), "2026-11-22T14:05:00Z");
  EXPECT_EQ(a.post.lang_hint, "en");
  EXPECT_EQ(a.categories, (std::vector<std::string>{"Incidents", "api"}));
  EXPECT_EQ(a.seen_key, "tag:engineering.acme.example,2026-11-22:/blog/postmortem-outage");

  const FeedItem& b = f.items[1];
  EXPECT_EQ(b.post.uid, "web:https://engineering.acme.example/releases/4.2");  // resolved against xml:base
  EXPECT_EQ(b.post.title, "Release 4.2 <beta> ist da");                        // type="text": '<' is text
  EXPECT_EQ(b.post.text, "Schnellere sync-Läufe.");
  EXPECT_EQ(b.post.author.name, "Acme Engineering Team");  // the feed's author
  EXPECT_EQ(created(b), "2026-11-20T10:00:00Z");           // <updated> stands in for <published>
  EXPECT_EQ(b.post.lang_hint, "de");
}

TEST(FeedParser, Rss1Rdf) {
  const ParsedFeed f = parse_file("rdf.xml", "https://news.example.jp/rss/economy.rdf");
  EXPECT_EQ(f.format, "rdf");
  EXPECT_EQ(f.title, "Example News - 経済");
  ASSERT_EQ(f.items.size(), 2U);

  const FeedItem& a = f.items[0];
  EXPECT_EQ(a.post.uid, "web:https://news.example.jp/articles/2026/11/22/acme.html");
  EXPECT_EQ(a.seen_key, "https://news.example.jp/articles/2026/11/22/acme.html");
  EXPECT_EQ(a.post.title, "Acme、充電器20万台を自主回収");
  EXPECT_EQ(a.post.text, "米Acmeは22日、X200用充電器20万台の回収を発表した。");
  EXPECT_EQ(a.post.author.name, "山田 太郎");
  EXPECT_EQ(created(a), "2026-11-22T14:05:00Z");
  EXPECT_EQ(a.post.lang_hint, "ja");
  EXPECT_EQ(a.categories, std::vector<std::string>{"企業"});

  const FeedItem& b = f.items[1];  // no <link>: rdf:about names the article
  EXPECT_EQ(b.post.uid, "web:https://news.example.jp/articles/2026/11/22/market.html");
  EXPECT_EQ(b.post.text, "東京株式市場で日経平均株価は続落した。");
  EXPECT_EQ(created(b), "2026-11-22T06:30:00Z");
}

TEST(FeedParser, Windows1252BytesLabelledIso88591) {
  const ParsedFeed f = parse_file("windows1252.xml", "http://cafe.acme.example/rss.xml", "text/xml");
  EXPECT_EQ(f.title, "Le Café d’Acme");
  ASSERT_EQ(f.items.size(), 1U);
  const Post& p = f.items[0].post;
  EXPECT_EQ(p.uid, "web:http://cafe.acme.example/ete.html");
  EXPECT_EQ(p.title, "Été : le menu “gourmand” à 9€");
  EXPECT_EQ(p.text, "Café + dessert – l’offre de l’été… Crème brûlée incluse.");
  EXPECT_EQ(p.author.handle, "contact@cafe.acme.example");
  EXPECT_EQ(p.author.name, "Chloé Martin");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:05:00Z");
  EXPECT_EQ(p.lang_hint, "fr");
}

TEST(FeedParser, EucKrFromHeaderOrDeclaration) {
  for (std::string_view content_type : {"application/rss+xml; charset=EUC-KR", ""}) {
    const ParsedFeed f = parse_file("euckr.xml", "https://news.acme.example.kr/rss", content_type);
    EXPECT_EQ(f.title, "에이크미 뉴스") << content_type;
    ASSERT_EQ(f.items.size(), 1U);
    const Post& p = f.items[0].post;
    EXPECT_EQ(p.title, "에이크미 고객센터 장애 발생");
    EXPECT_EQ(p.url, "https://news.acme.example.kr/view.php?idx=1024&page=1");
    EXPECT_EQ(p.text, "22일 오후 고객센터 접속이 지연되었습니다.");
    EXPECT_EQ(p.author.name, "김민수 기자");
    EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:05:00Z");
    EXPECT_EQ(p.lang_hint, "ko");
  }
}

TEST(FeedParser, HttpCharsetWinsAndTheDeclarationDoesNotConfusePugixml) {
  // Already UTF-8 (the server says so), but the declaration still claims latin1.
  const ParsedFeed f =
      parse_feed(
          "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>Caf\xC3\xA9"
          "</title><link>https://x.example/1</link></item></channel></rss>",
          FeedParseInput{"text/xml; charset=utf-8", "https://x.example/f", kReceived})
          .value();
  ASSERT_EQ(f.items.size(), 1U);
  EXPECT_EQ(f.items[0].post.title, "Café");
}

TEST(FeedParser, JunkAndBomBeforeTheDeclaration) {
  const ParsedFeed f = parse_file("junk_before.xml", "https://fans.acme.example/feed/");
  EXPECT_FALSE(f.truncated);
  EXPECT_EQ(f.title, "Acme Fans");
  ASSERT_EQ(f.items.size(), 1U);
  EXPECT_EQ(f.items[0].post.uid, "web:https://fans.acme.example/2026/11/22/support/");
  EXPECT_EQ(f.items[0].post.author.name, "bob");
  EXPECT_EQ(f.items[0].post.lang_hint, "en-US");
}

TEST(FeedParser, TruncatedFeedKeepsCompleteItems) {
  const ParsedFeed f = parse_file("truncated.xml", "https://status.acme.example/history.rss");
  EXPECT_TRUE(f.truncated);
  EXPECT_FALSE(f.damage.empty());
  EXPECT_EQ(f.title, "Acme Status");
  ASSERT_EQ(f.items.size(), 2U);
  EXPECT_EQ(f.items[0].post.uid, "web:https://status.acme.example/incidents/101");
  EXPECT_EQ(f.items[0].post.text, "We are investigating elevated error rates.");
  EXPECT_EQ(f.items[1].post.uid, "web:https://status.acme.example/incidents/100");
}

TEST(FeedParser, TruncatedAtomAndMidDocumentDamage) {
  const ParsedFeed atom = parse_text(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
      "<entry><id>1</id><title>one</title></entry><entry><id>2</id><title>tw");
  EXPECT_TRUE(atom.truncated);
  ASSERT_EQ(atom.items.size(), 1U);
  EXPECT_EQ(atom.items[0].seen_key, "1");

  // A broken second item: the first survives, nothing after the damage is trusted.
  const ParsedFeed rss = parse_text(
      "<rss><channel><item><guid>a</guid></item><item><guid>b</guid><title>x</wrong></item>"
      "<item><guid>c</guid></item></channel></rss>");
  EXPECT_TRUE(rss.truncated);
  ASSERT_EQ(rss.items.size(), 1U);
  EXPECT_EQ(rss.items[0].seen_key, "a");

  // Damage before any complete item: the feed is known, its items are not.
  const ParsedFeed none = parse_text("<rss><channel><title>T</title><item><title>x</wrong>");
  EXPECT_TRUE(none.truncated);
  EXPECT_EQ(none.title, "T");
  EXPECT_TRUE(none.items.empty());
}

TEST(FeedParser, HtmlEntitiesPrefixesAndDateZoo) {
  const ParsedFeed f = parse_file("entities_dates.xml", "https://watch.acme.example/feed.xml");
  EXPECT_FALSE(f.truncated);
  EXPECT_EQ(f.title, "Acme Watch — dépêches");
  EXPECT_EQ(f.link, "https://watch.acme.example/");
  ASSERT_EQ(f.items.size(), 10U);

  const Post& a = f.items[0].post;
  EXPECT_EQ(a.title, "Café & thé … &foo; AT&T");
  EXPECT_EQ(a.url, "https://watch.acme.example/articles/1?utm_source=rss&id=1");
  EXPECT_EQ(a.uid, "web:https://watch.acme.example/articles/1?utm_source=rss&id=1");
  EXPECT_EQ(a.text, "Full text – here");  // c:encoded is content:encoded; x:encoded is not
  EXPECT_EQ(a.author.name, "Ana Lima");
  EXPECT_EQ(f.items[0].seen_key, "zoo-1");

  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(created(f.items[i]), "2026-11-22T14:05:00Z") << f.items[i].post.title;
  }
  EXPECT_EQ(f.items[1].post.uid, "web:https://watch.acme.example/feed.xml#zoo-2");
  EXPECT_EQ(f.items[7].post.created_at, kReceived);  // unparseable

  const FeedItem& anon = f.items[8];
  EXPECT_EQ(anon.seen_key, "fa4a585b4de0ceda");  // pinned: a changed hash would re-deliver every such item
  EXPECT_EQ(anon.post.uid, "web:https://watch.acme.example/feed.xml#fa4a585b4de0ceda");
  EXPECT_EQ(anon.post.created_at, kReceived);
  EXPECT_EQ(anon.post.author.handle, "ana@acme.example");
  EXPECT_EQ(anon.post.author.name, "Ana Lima");

  const FeedItem& permalink = f.items[9];
  EXPECT_EQ(permalink.post.url, "https://watch.acme.example/p/10");
  EXPECT_EQ(permalink.post.uid, "web:https://watch.acme.example/p/10");
  EXPECT_EQ(permalink.post.author.handle, "");  // noreply@ is no one's handle
  EXPECT_EQ(permalink.post.author.name, "Bloggeur");
  EXPECT_EQ(created(permalink), "2026-11-22T14:05:00Z");
}

TEST(FeedParser, LenientWithUndeclaredPrefixesMissingNamespacesAndRawHtml) {
  const ParsedFeed rss = parse_text(
      "<rss version=\"2.0\"><channel><item><title>t</title><content:encoded><![CDATA[<p>full</p>]]>"
      "</content:encoded><dc:creator>Zoé</dc:creator><description><p>Hello <b>world</b></p></description>"
      "<link>https://x.example/a</link></item><item><title>u</title><description><p>Hello "
      "<b>world</b><br/>again</p></description><link>https://x.example/b</link></item></channel></rss>");
  ASSERT_EQ(rss.items.size(), 2U);
  EXPECT_EQ(rss.items[0].post.text, "full");
  EXPECT_EQ(rss.items[0].post.author.name, "Zoé");
  EXPECT_EQ(rss.items[1].post.text, "Hello world again");  // unescaped, well-formed HTML in <description>

  const ParsedFeed atom = parse_text(
      "<feed><title>No xmlns</title><entry><id>e1</id><title>t</title><link href=\"/p/1\"/>"
      "<published>2026-11-22T14:05:00Z</published></entry></feed>",
      "https://blog.example/feed.atom");
  EXPECT_EQ(atom.format, "atom");
  ASSERT_EQ(atom.items.size(), 1U);
  EXPECT_EQ(atom.items[0].post.uid, "web:https://blog.example/p/1");
}

TEST(FeedParser, RelativeXmlBasesNestOnce) {
  const ParsedFeed f = parse_text(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"blog/\"><link href=\"./\"/>"
      "<entry xml:base=\"2026/\"><id>1</id><link href=\"p/1\"/></entry></feed>",
      "https://x.example/site/feed.atom");
  EXPECT_EQ(f.link, "https://x.example/site/blog/");
  ASSERT_EQ(f.items.size(), 1U);
  EXPECT_EQ(f.items[0].post.url, "https://x.example/site/blog/2026/p/1");
}

TEST(FeedParser, SeenKeyHashIsStableAndContentSensitive) {
  const char* doc =
      "<rss><channel><item><title>x</title><description>%s</description></item></channel></rss>";
  char a[256], b[256];
  std::snprintf(a, sizeof a, doc, "one");
  std::snprintf(b, sizeof b, doc, "two");
  const ParsedFeed fa = parse_text(a), fa2 = parse_text(a), fb = parse_text(b);
  ASSERT_EQ(fa.items.size(), 1U);
  ASSERT_EQ(fb.items.size(), 1U);
  EXPECT_EQ(fa.items[0].seen_key.size(), 16U);
  EXPECT_EQ(fa.items[0].seen_key, fa2.items[0].seen_key);
  EXPECT_NE(fa.items[0].seen_key, fb.items[0].seen_key);
}

// pugixml decodes character references itself, and writes one beyond U+10FFFF (its number overflows) as bytes
// that are not UTF-8; found by ingest_parsers_fuzz. Every text the parser hands on is valid UTF-8.
TEST(FeedParser, OutOfRangeCharacterReferencesStayValidUtf8) {
  const ParsedFeed f = parse_text(
      "<rss version=\"2.0\"><channel><title>Blog &#99999999999999999999999999999038;</title><item>"
      "<title>Acme &#111111111111111111111111111111111038; vous</title><guid>g1</guid>"
      "<description>ok &#x7FFFFFFFFFFF; fin</description><author>&#4294967295;Ana</author></item>"
      "</channel></rss>");
  ASSERT_EQ(f.items.size(), 1u);
  const Post& p = f.items[0].post;
  EXPECT_EQ(repair_utf8(p.title), p.title);
  EXPECT_EQ(repair_utf8(p.text), p.text);
  EXPECT_EQ(repair_utf8(p.author.name), p.author.name);
  EXPECT_EQ(repair_utf8(f.title), f.title);
  EXPECT_TRUE(p.title.starts_with("Acme ")) << p.title;
  EXPECT_TRUE(p.title.ends_with(" vous")) << p.title;
}

TEST(FeedParser, RejectsWhatIsNotAFeed) {
  EXPECT_EQ(parse_error(""), "feed is empty");
  EXPECT_EQ(parse_error("<!DOCTYPE html><html><head><title>503</title></head><body>busy</body></html>"),
            "not an RSS or Atom feed: the root element is <html>");
  EXPECT_EQ(parse_error("Service Unavailable"), "not XML: No document element found at byte 19");
}

TEST(FeedParser, DamagedPrologIsNotFatal) {
  // An unknown charset is read as UTF-8, and a broken XML declaration is skipped.
  const ParsedFeed f =
      parse_feed(
          "<?xml version=1.0 encoding=\"x-unknown-9\"?><rss><channel><item><title>Caf\xC3\xA9</title>"
          "<link>https://x.example/1</link></item></channel></rss>",
          FeedParseInput{"", "https://x.example/f", kReceived})
          .value();
  EXPECT_EQ(f.damage, "unknown charset \"X-UNKNOWN-9\"; read as UTF-8");
  EXPECT_FALSE(f.truncated);
  ASSERT_EQ(f.items.size(), 1U);
  EXPECT_EQ(f.items[0].post.title, "Café");

  // Atom's namespace with a trailing slash is still Atom.
  const ParsedFeed atom = parse_text(
      "<feed xmlns=\"http://www.w3.org/2005/Atom/\"><entry><id>1</id><title>t</title></entry></feed>");
  EXPECT_EQ(atom.format, "atom");
  EXPECT_EQ(atom.items.size(), 1U);
}

TEST(FeedParser, NeverFailsOnAnyPrefixOfARealFeed) {
  // Every cut of a real feed either parses (keeping only complete items) or fails cleanly.
  const std::string body = read_feed("wordpress.xml");
  for (size_t n = 0; n <= body.size(); n += 7) {
    auto r =
        parse_feed(std::string_view(body).substr(0, n), FeedParseInput{"", "https://b.example/", kReceived});
    if (!r) continue;
    EXPECT_LE(r->items.size(), 2U);
    for (const FeedItem& it : r->items) {
      EXPECT_FALSE(it.post.uid.empty());
      EXPECT_FALSE(it.seen_key.empty());
    }
  }
  const ParsedFeed whole = parse_feed(body, FeedParseInput{"", "https://b.example/", kReceived}).value();
  EXPECT_EQ(whole.items.size(), 2U);
}

TEST(ParseFeedDate, Rfc822Variants) {
  const std::string want = "2026-11-22T14:05:00Z";
  for (const char* s : {"Sun, 22 Nov 2026 14:05:00 GMT",
                        "Sun, 22 Nov 2026 14:05:00 +0000",
                        "22 Nov 2026 14:05:00 UT",
                        "Sun,22 Nov 2026 14:05:00 UTC",
                        "Sun, 22 Nov 2026 14:05 Z",
                        "Sun, 22 Nov 26 14:05:00 GMT",
                        "Sunday, 22 November 2026 14:05:00 GMT",
                        "Sun, 22 Nov 2026 09:05:00 EST",
                        "Sun, 22 Nov 2026 10:05:00 EDT",
                        "Sun, 22 Nov 2026 08:05:00 CST",
                        "Sun, 22 Nov 2026 09:05:00 CDT",
                        "Sun, 22 Nov 2026 07:05:00 MST",
                        "Sun, 22 Nov 2026 08:05:00 MDT",
                        "Sun, 22 Nov 2026 06:05:00 PST",
                        "Sun, 22 Nov 2026 07:05:00 PDT",
                        "Sun, 22 Nov 2026 15:05:00 +01:00",
                        "Sun, 22 Nov 2026 09:35:00 -0430",
                        "Sun, 22 Nov 2026 15:05:00 CET",
                        "Sun, 22 Nov 2026 16:05:00 GMT+0200",
                        "Sun, 22 Nov 2026 14:05:00 +0000 (UTC)",
                        "Sun, 22 Nov 2026 14:05:00",
                        "  Sun, 22 Nov 2026 14:05:00 GMT\n",
                        "Sun, 22 Nov 2026 14:05:00 XYZ",
                        "Sun, 22 nov 2026 14:05:00 gmt",
                        "Nov 22, 2026 14:05:00 GMT",
                        "Sun, 22 Nov 2026 14:05:00Z"}) {
    const auto t = parse_feed_date(s);
    ASSERT_TRUE(t.has_value()) << s;
    EXPECT_EQ(format_rfc3339(*t), want) << s;
  }
  EXPECT_EQ(format_rfc3339(*parse_feed_date("Wed, 02 Oct 2002 08:00 EST")), "2002-10-02T13:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_feed_date("1 Jan 99 00:00:00 GMT")), "1999-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_feed_date("22 Nov 2026")), "2026-11-22T00:00:00Z");
}

TEST(ParseFeedDate, IsoVariants) {
  const std::string want = "2026-11-22T14:05:00Z";
  for (const char* s : {"2026-11-22T14:05:00Z", "2026-11-22T15:05:00+01:00", "2026-11-22T15:05:00+0100",
                        "2026-11-22T14:05:00", "2026-11-22 14:05:00", "2026-11-22T14:05Z", "2026-11-22T14:05",
                        "2026-11-22T15:05+01:00", "2026-11-22T15:05:00+01", "2026-11-22 14:05:00 UTC",
                        "2026-11-22T14:05:00.000Z", "2026-11-22 15:05:00 +01:00"}) {
    const auto t = parse_feed_date(s);
    ASSERT_TRUE(t.has_value()) << s;
    EXPECT_EQ(format_rfc3339(*t), want) << s;
  }
  EXPECT_EQ(format_rfc3339(*parse_feed_date("2026-11-22T14:05:00.25")), "2026-11-22T14:05:00.250Z");
  EXPECT_EQ(format_rfc3339(*parse_feed_date("2026-11-22")), "2026-11-22T00:00:00Z");
}

TEST(ParseFeedDate, RejectsGarbage) {
  for (const char* s : {"", "yesterday", "22/11/2026 15h05", "Sun, 31 Feb 2026 10:00:00 GMT",
                        "Sun, 22 Foo 2026", "2026-13-01T00:00:00Z", "2026-11-22T25:00",
                        "Sun, 22 Nov 2026 25:00:00 GMT", "Sun, 22 Nov 2026 14:xx:00 GMT", "22 Nov"}) {
    EXPECT_FALSE(parse_feed_date(s).has_value()) << s;
  }
}

}  // namespace
}  // namespace vigie::ingest
