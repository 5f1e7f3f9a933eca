"""Teach small language models to reason by distilling a teacher's chains of thought."""
