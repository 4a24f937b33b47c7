"""Fixed texts for the export's checks: tokenizer edge cases and a few hundred varied sentences."""

from __future__ import annotations

import random

LONG_REVIEW = (
    "I bought this espresso machine after my old one broke, and after three months of daily use I can say "
    "it is the best kitchen purchase I have made in years. The steam wand heats milk quickly, the grinder "
    "is quiet, the water tank is easy to refill, and descaling takes ten minutes. "
)


def parity_strings() -> list[str]:
    """Strings whose token ids serving must reproduce exactly: accents, punctuation, CJK, emoji,
    other scripts, odd whitespace and control characters, very long words and texts past 128 tokens."""
    return [
        "Hello, world!",
        "",
        "   ",
        "Crème brûlée & café au lait — Ørsted, São Paulo, Zürich, naïve façade",
        "ÉCOLE ÉLÉMENTAIRE: L'été à Montréal",
        "e\u0301 combining acute vs é precomposed",
        "Don't stop! Wait... what?! (really) [yes] {no} <tag> \"quoted\" 'single' #hash @user $9.99 50% a/b c\\d",
        "state-of-the-art, well-known, e-mail; semi;colon: colon",
        "USB-C 3.1 Gen 2 cable, 2m (6.6ft), 100W PD — 20Gbps",
        "iPhone 15 Pro Max 256GB Titanium",
        "https://example.com/path?q=1&r=two#frag and user@example.org",
        "北京欢迎你 — 東京タワー、ラーメン大好き",
        "한국어 문장입니다. 서울 타워",
        "Привет, как дела? Москва 2024",
        "مرحبا بالعالم",
        "Ελληνικά γράμματα: αβγ ΔΕΖ",
        "हिन्दी भाषा",
        "emoji 😀🎉👍🏽 and family 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵",
        "tab\tnew\nline\r\ncarriage and\u00a0no-break\u2003em space",
        "zero\u200bwidth\u200djoiner\ufeffbom",
        "control\x00char\x07bell\x1bescape",
        "x" * 150,
        "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
        "UPPER lower MiXeD CaSe",
        "1234567890 3.14159 1,000,000 -42 +7 1e10",
        "(((nested))) !!!??? ...",
        "ﬁ ligature ﬀ and ½ fraction and ² superscript and Ⅻ roman",
        "straße STRASSE",
        "[CLS] [SEP] [MASK] [PAD] [UNK] literal special tokens",
        LONG_REVIEW * 4,
        " ".join(f"word{i}" for i in range(200)),
        "中" * 200,
    ]


def varied_sentences(count: int = 300) -> list[str]:
    """Deterministic, varied sentences: catalogue titles and descriptions, reviews, questions,
    other languages, short and long, for the int8-vs-fp32 comparison."""
    rng = random.Random(17)
    adjectives = ["waterproof", "lightweight", "vintage", "organic", "wireless", "hand-made", "compact", "heavy-duty", "ergonomic", "limited-edition", "recycled", "noise-cancelling"]
    things = ["hiking boots", "espresso machine", "yoga mat", "mechanical keyboard", "cast-iron skillet", "science-fiction novel", "running jacket", "board game", "desk lamp", "tea set", "electric guitar", "baby stroller", "garden hose", "face cream", "camping tent"]
    categories = ["Outdoor", "Kitchen", "Fitness", "Electronics", "Books", "Toys & Games", "Home", "Music", "Baby", "Beauty", "Garden"]
    openers = ["Perfect for", "Designed for", "A great gift for", "Built to last for", "Loved by"]
    people = ["weekend hikers", "home baristas", "busy parents", "students", "professional chefs", "gamers", "beginners", "collectors"]
    extras = [
        "How do I reset the device to factory settings?",
        "Shipping took two weeks but the quality is excellent.",
        "The stock market fell sharply after the announcement.",
        "A quiet village by the sea, with fishing boats at dawn.",
        "Le petit déjeuner est servi à huit heures.",
        "Der Zug nach Berlin hat zehn Minuten Verspätung.",
        "El gato duerme en el sofá todo el día.",
        "这本书讲述了一个关于友谊的故事。",
        "Best pizza in town!!! 🍕🍕",
        "Returns accepted within 30 days; see terms & conditions.",
        "Photosynthesis converts light energy into chemical energy.",
        "The match was postponed because of heavy rain.",
    ]
    sentences = list(extras)
    while len(sentences) < count:
        adjective, thing, category = rng.choice(adjectives), rng.choice(things), rng.choice(categories)
        form = rng.randrange(4)
        if form == 0:
            sentences.append(f"{adjective.capitalize()} {thing}")
        elif form == 1:
            sentences.append(f"{adjective.capitalize()} {thing}. {category}. {rng.choice(openers)} {rng.choice(people)}.")
        elif form == 2:
            sentences.append(f"Is this {thing} really {adjective}? I need one for {rng.choice(people)}.")
        else:
            words = [rng.choice(adjectives + things + people) for _ in range(rng.randrange(20, 90))]
            sentences.append(f"{thing.capitalize()} review: " + ", ".join(words) + ".")
    return sentences[:count]
