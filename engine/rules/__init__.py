"""Supervision rules (DESIGN §6): one small module per rule, each naming the seed article it enforces; ``registry``
holds the rules in force and says when each runs."""
