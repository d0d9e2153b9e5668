"""The project's tests; they live in the package so that they import it relatively."""
