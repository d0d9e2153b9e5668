"""The retraining workflow: the state machine built with the Step Functions Data Science
SDK, its state names, its graph (Mermaid and SVG), and the progress of a run."""
