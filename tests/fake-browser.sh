#!/bin/sh
# Stands in for the system browser in end-to-end tests: opens the sign-in address and follows
# the simulator's redirect back to Scopebook's loopback listener, as a person clicking
# "Allow access" would. Set as SCOPEBOOK_BROWSER.
exec curl --silent --show-error --location --max-time 30 --output /dev/null "$1"
