"""Enterprise integrity commitments (诚信经营承诺): signing, moderation, withdrawal and public search."""
