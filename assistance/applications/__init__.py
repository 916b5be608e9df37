"""The applications (红十字会): the clerks' workspace, applications with their household, extra costs
and scanned documents."""
