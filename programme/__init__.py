"""The regional programme's actors (read-only) and the observatory feed."""
