"""Place names in the seven languages, in one place, from public reference data (Babel's CLDR, pycountry's ISO
3166-2) and the content's own names:

- `bot.places.names`: how a city is shown (`city_name`, `city_list`): Milan → Milano, 밀라노, ميلانو;
- `bot.places.gazetteer`: finding places named in a question (the workshop cities in any of their names, every
  country and continent by its CLDR names), for the FAQ;
- `bot.places.zones`: finding a time zone from a place's name in any language, for /timezone.

The submodules are imported where used, not here: `names` is needed by the content models, while the gazetteer and
the zone index load CLDR tables and rapidfuzz that a plain `wego-bot ask` must not pay for. Nothing is installed
process-wide: the content's names and the cache folder are passed in by whoever holds them.
"""
