"""Every per-year rule across the year boundary (issue 15): receipt numbers, pledge arrears,
applications and review cases per cost year, settlement files, the annual cap, resolution and case
numbers, deadlines over New Year and the Spring Festival, 公示 and 复核 windows, outreach,
statement periods, the scheme in force and the clerk's default cost year — on the fund's clock,
Beijing time (helpers.at), where the first eight hours of a year are still the year before in UTC."""
