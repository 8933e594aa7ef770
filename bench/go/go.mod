module goxray.bench/dwarfwalk

go 1.22
