"""The commands that act on AWS: deploy, run, status, history, destroy, the CI role,
the estimate, and what they share (session, errors, stacks, uploads)."""
