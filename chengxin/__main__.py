from chengxin.cli import main

main()
