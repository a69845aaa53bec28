"""Text dumps in other languages and scripts: the same furniture goes, the article stays."""
from tasks.stages.clean import clean
from tasks.stages.clean.segments import segments

RUSSIAN = """Главная
Новости
Войти
Лавров прибыл в КНДР с рабочим визитом
Министр иностранных дел России Сергей Лавров прибыл в КНДР с рабочим визитом, сообщили государственные СМИ в пятницу.
По данным агентства, самолет министра приземлился в аэропорту Вонсана, где он встретится со своей северокорейской коллегой.
Визит продлится до воскресенья, и это уже не первая поездка высокопоставленных российских чиновников в эту страну в этом году.
Читайте также
Подписывайтесь на наш канал
© 2025 Все права защищены
"""

CHINESE = """首页
新闻
登录
俄罗斯外长拉夫罗夫抵达朝鲜
俄罗斯外交部长拉夫罗夫星期五抵达朝鲜进行工作访问，俄罗斯官方媒体报道说，这是莫斯科高级官员一系列高调访问中的最新一次。
塔斯社报道说，部长的飞机降落在元山机场，拉夫罗夫将在那里会见朝鲜外务相崔善姬，双方将讨论两国合作的问题。
俄罗斯和朝鲜官方媒体本周早些时候宣布了这次访问，称拉夫罗夫将在该国停留到星期日，并与朝鲜领导人举行会谈。
版权所有 © 2025
"""

GERMAN = """Startseite
Anmelden
Stadtrat beschließt neue Brücke über den Fluss
Hamburger Zeitung - 12. März 2024
Der Stadtrat hat am Dienstag beschlossen, eine neue Fußgängerbrücke über den Fluss zu bauen, nachdem die Pläne mehr als zwei Jahre lang diskutiert worden waren.
Die Brücke soll den alten Marktplatz mit dem Park am nördlichen Ufer verbinden, und die Bauarbeiten sollen im Herbst beginnen.
Anzeige
Die Kosten werden auf rund vier Millionen Euro geschätzt, von denen der größte Teil aus einem regionalen Fonds für nachhaltigen Verkehr kommen soll.
Mehr zum Thema
Teilen
"""


def test_a_russian_dump_in_cp1251_keeps_its_three_paragraphs_and_title():
    article, = clean(RUSSIAN.encode("cp1251"), "ru.txt")
    assert article.title == "Лавров прибыл в КНДР с рабочим визитом"
    assert len(article.paragraphs) == 3 and article.paragraphs[0].startswith("Министр")
    assert article.language == "ru"


def test_a_chinese_dump_in_gb18030_is_read_by_characters_not_spaces():
    article, = clean(CHINESE.encode("gb18030"), "zh.txt")
    assert article.title == "俄罗斯外长拉夫罗夫抵达朝鲜"
    assert len(article.paragraphs) == 3 and "版权所有" not in article.text
    assert article.language == "zh"


def test_a_german_dump_drops_its_ad_label_and_reads_the_byline_date():
    article, = clean(GERMAN.encode("utf-8"), "de.txt")
    assert article.title == "Stadtrat beschließt neue Brücke über den Fluss"
    assert [p[:8] for p in article.paragraphs] == ["Der Stad", "Die Brüc", "Die Kost"]
    assert article.language == "de"

ENGLISH = """Home
Sign in
City council approves a new bridge over the river
Hamburg Gazette - 12 March 2024
The city council decided on Tuesday to build a new footbridge over the river, after more than two years of debate about the plans.
Advertisement
The cost is put at about four million euros, most of which is to come from a regional fund for sustainable transport.
More on this topic
Share
"""

QUOTED = ["Der Minister sagte, dass die Arbeiten an der neuen Brücke beginnen sollen, sobald das Geld da ist.",
          "Er fügte hinzu, dass die Menschen am Nordufer schon sehr lange auf einen Weg über den Fluss warten.",
          "Der Rat wird sich im Frühjahr wieder treffen, um zu entscheiden, welchen der drei Entwürfe er wählt.",
          "Einige Mitglieder sagten, sie wünschten sich sehr, dass die Brücke auch für Fahrräder geöffnet werde.",
          "Andere fragten, ob die alte Fähre noch fahren werde, wenn die neue Brücke für alle geöffnet sei.",
          "Der Bürgermeister sagte, er sei sicher, dass die Stadt noch viele Jahre stolz auf die Brücke sein werde."]


def test_a_passage_in_another_language_than_the_page_stays_in_the_article():
    # given an English page that quotes six paragraphs in German after its first paragraph
    lines = ENGLISH.splitlines()
    at = lines.index("Advertisement")
    dump = "\n".join(lines[:at] + QUOTED + lines[at:])
    # when it is cleaned
    article, = clean(dump.encode("utf-8"), "en.txt")
    # then the quoted paragraphs are prose in their own language: they stay, and so does the
    # page's own paragraph before them (read by English stop words alone, they were a block of
    # non-prose lines, and the article's run started after them)
    assert [p[:8] for p in article.paragraphs] == ["The city"] + [q[:8] for q in QUOTED] + ["The cost"]
    # and the page's language is that of most of its long lines: six German paragraphs to two English
    assert article.language == "de"


def test_a_long_line_without_stop_words_in_any_language_is_still_not_prose():
    # given an English page's lines, a German sentence, and a long line of names and numbers (a table)
    table = " ".join(f"Miller{i} Smith{i} {i * 7}" for i in range(8))
    lines = ENGLISH.splitlines() + QUOTED[:1] + [table]
    # when its segments are read
    segs = {s.text: s for s in segments(lines, "en")}
    # then the German sentence is prose, judged by its own language, but the table is not
    assert segs[QUOTED[0]].prose
    assert not segs[table].prose

ENGLISH_WITH_A_LONG_GERMAN_NOTICE = """Home
Sign in
Council approves a new bridge over the river
The city council voted on Tuesday to build a new footbridge across the river, after more than two years of debate.
The bridge will link the old market square with the park on the northern bank, and work is due to start in the autumn.
The cost is put at about four million euros, most of it from a regional fund for sustainable transport.
Hinweis der Redaktion: Wenn Sie sich in einer schwierigen Lage befinden oder mit jemandem über Ihre Sorgen sprechen möchten, erreichen Sie die Beratungsstelle rund um die Uhr kostenlos und anonym unter der angegebenen Telefonnummer, auch an Sonn- und Feiertagen.
Share this article
"""


def test_a_dump_whose_longest_line_is_a_notice_in_another_language_is_read_in_its_own():
    # given an English article whose single longest line is a notice in German
    # when it is cleaned
    article, = clean(ENGLISH_WITH_A_LONG_GERMAN_NOTICE.encode("utf-8"), "en.txt")
    # then its language is the language of most of its long lines, and its paragraphs are kept
    assert article.language == "en"
    assert [p[:7] for p in article.paragraphs[:3]] == ["The cit", "The bri", "The cos"]
