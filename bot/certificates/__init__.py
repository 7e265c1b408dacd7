"""Certificate records: signing and checking their verification codes (pure, no database)."""
