"""What the bot says and asks: question packs, the glossary, the string catalogs."""
