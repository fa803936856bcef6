class Tabbed:
	"""A tab-indented class."""

	def go(self, n: int) -> int:
		return n + 1
