"""Supply Watch: drug-checking results, overdose counts and community drug alerts."""

__version__ = "0.1.0"
