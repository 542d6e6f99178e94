"""The pact's rules, pure: no I/O, no system clock (`now` is an argument), nothing from the store, services or
entry points (an import-linter contract holds it). One module per rule, named for it, with its vectorised
twin beside it where it has one: calendar/, gate, scoring (+ scoring_vec over lead_columns, conditions_vec),
touches, lifecycle, replay (+ outcomes, retracts; the result in projection), clocks, routing (+
compiled_conditions, fairness), dating, periods, planning, metrics/.
"""
