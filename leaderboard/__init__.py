"""The Streamlit leaderboard over results/ (see the leaderboard issue)."""
