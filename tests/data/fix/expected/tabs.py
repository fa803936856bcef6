class Tabbed:
	"""A tab-indented class.

	How to Use This Code Block
	==========================

	Description
	-----------
	Its method is `go`.

	Execution Steps
	---------------
	1. **Create Instance**: Builds a `Tabbed` with no arguments.
	2. **Use Methods**: Calls `go` on the instance as needed.

	Usage Example
	-------------

	```python
	from tabs import Tabbed

	instance = Tabbed()
	```
	"""

	def go(self, n: int) -> int:
		"""Return `n + 1`.

		How to Use This Code Block
		==========================

		Description
		-----------
		Call it on a `Tabbed` instance. It returns `n + 1`.

		Execution Steps
		---------------
		1. **Return Result**: Returns `n + 1`.

		Usage Example
		-------------

		```python
		from tabs import Tabbed

		instance = Tabbed()
		result = instance.go(n=2)
		print(result)
		```
		"""
		return n + 1
