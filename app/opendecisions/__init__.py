"""Import decisions from the Finnish open decision formats (6Aika Open Decision API, Helsinki Ahjo)."""
