from howto_hook.main import main_entry

main_entry()
